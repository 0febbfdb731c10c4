"""NUL and other control characters in every native input: never a 5xx, and on SQLite and
PostgreSQL alike a 400 naming the field wherever they make no sense (NUL anywhere, since
PostgreSQL cannot store it; any control character or line separator in names, targets, ids,
tags, paths and query parameters). Free text (probe options, contact settings, record
values) keeps its tabs and newlines."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchwire.runtime import Runtime

RECORD = {"type": "CNAME", "host": "www", "value": "app.example.net", "ttl": 3600}
# Every native write with a body: (method, path with {resource} ids, a valid body).
WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/v1/keys", {"name": "deploy", "scopes": ["monitors"], "ip_allowlist": ["127.0.0.1"]}),
    ("POST", "/v1/contacts", {"type": "email", "contact": "ops@example.com", "name": "ops"}),
    (
        "POST",
        "/v1/contacts",
        {"type": "telegram", "contact": "42", "args": {"bot_token": "123:abc"}},
    ),
    ("PATCH", "/v1/contacts/{contact}", {"name": "NOC", "contact": "noc@example.com"}),
    ("POST", "/v1/contacts/{contact}/confirm", {"authcode": "000000"}),
    ("POST", "/v1/contact-groups", {"name": "Day", "contacts": ["{contact}"]}),
    ("PATCH", "/v1/contact-groups/{group}", {"name": "Night", "contacts": ["{contact}"]}),
    (
        "POST",
        "/v1/monitors",
        {
            "kind": "http",
            "target": "http://127.0.0.1:9/health",
            "name": "shop",
            "tags": ["prod"],
            "contact_groups": ["{group}"],
            "options": {"headers": {"X-Check": "yes"}, "keyword": "ok"},
        },
    ),
    (
        "PATCH",
        "/v1/monitors/{monitor}",
        {"name": "shop", "tags": ["prod"], "target": "127.0.0.1:9"},
    ),
    (
        "POST",
        "/v1/webhooks",
        {"url": "http://127.0.0.1:9/hook", "name": "hook", "events": ["monitor.down"]},
    ),
    ("PATCH", "/v1/webhooks/{webhook}", {"url": "http://127.0.0.1:9/other", "name": "w2"}),
    ("POST", "/v1/domains", {"domain": "new.test", "user_id": "c-42", "records": [RECORD]}),
    ("PUT", "/v1/domains/{domain}", {"user_id": "c-43", "records": [RECORD]}),
    ("POST", "/v1/domains/{domain}/records", {"records": [RECORD]}),
    ("POST", "/v1/domains/batch", {"domains": [{"domain": "batch.test", "records": [RECORD]}]}),
    (
        "POST",
        "/v1/cert-monitors",
        {"hostname": "shop.test", "protocol": "https", "name": "cm", "tags": ["tls"]},
    ),
    ("PATCH", "/v1/cert-monitors/{cert_monitor}", {"name": "cm2", "tags": ["tls2"]}),
    ("POST", "/v1/cert-profiles", {"name": "strict"}),
    ("PATCH", "/v1/cert-profiles/{cert_profile}", {"name": "lenient"}),
    ("POST", "/v1/rbl/hosts", {"host": "192.0.2.10", "name": "mail", "tags": ["prod"]}),
    ("PATCH", "/v1/rbl/hosts/{rbl_host}", {"name": "mx1", "tags": ["eu"]}),
    ("POST", "/v1/rbl/profiles", {"name": "Mail", "frequency": "6_hours", "entries": []}),
    ("PATCH", "/v1/rbl/profiles/{rbl_profile}", {"name": "Mail servers"}),
    (
        "POST",
        "/v1/rbl/sources",
        {"host": "bl.example.test", "type": "rbl", "custom_codes": ["127.0.0.2"]},
    ),
    ("PATCH", "/v1/rbl/sources/{rbl_source}", {"host": "bl2.example.test"}),
    ("POST", "/v1/rbl/checks", {"host": "192.0.2.7", "callback": "http://127.0.0.1:9/cb"}),
    ("POST", "/v1/tools/port", {"target": "127.0.0.1:9"}),
]
# Free text: a control character other than NUL may be what the user means.
FREE_TEXT = ("options.", "args.", "records.0.value", "domains.0.records.0.value")
CONTROLS = ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f", "\u2028"]


async def _resources(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, str]:
    """One resource of each kind the writes address, by the name used in their paths."""
    made = {}
    for name, path, body in [
        ("contact", "/v1/contacts", {"type": "email", "contact": "a@example.com"}),
        ("group", "/v1/contact-groups", {"name": "g"}),
        ("monitor", "/v1/monitors", {"kind": "tcp", "target": "127.0.0.1:9"}),
        ("webhook", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}),
        ("domain", "/v1/domains", {"domain": "shop.test"}),
        ("cert_monitor", "/v1/cert-monitors", {"hostname": "shop.test", "protocol": "https"}),
        ("cert_profile", "/v1/cert-profiles", {"name": "p"}),
        ("rbl_host", "/v1/rbl/hosts", {"host": "192.0.2.9"}),
        ("rbl_profile", "/v1/rbl/profiles", {"name": "p", "frequency": "6_hours"}),
        ("rbl_source", "/v1/rbl/sources", {"host": "bl.example.test", "type": "rbl"}),
    ]:
        response = await client.post(path, json=body, headers=auth)
        assert response.status_code == 201, (path, response.text)
        data = response.json()["data"]
        item = data[0] if isinstance(data, list) else data
        made[name] = item.get("sid") or item["id"]
    return made


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if value.startswith("{") else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _leaves(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of every string in a body."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index))


def _poison(body: dict[str, Any], leaf: str, at: int, control: str) -> dict[str, Any]:
    poisoned = copy.deepcopy(body)
    *parents, last = leaf.split(".")
    holder: Any = poisoned
    for part in parents:
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    key: Any = int(last) if isinstance(holder, list) else last
    text = holder[key]
    inside = 1 + at % (len(text) - 1)  # not at an end, where it could be trimmed as space
    holder[key] = text[:inside] + control + text[inside:]
    return poisoned


@pytest.fixture
async def operator(runtime: Runtime) -> dict[str, str]:
    """An unlimited account: the examples pass any plan's limits and minute budget."""
    key = await runtime.accounts.create_account("operator", plan="unlimited")
    return {"X-API-Key": key.key}


@pytest.fixture
async def ids(client: httpx.AsyncClient, operator: dict[str, str]) -> dict[str, str]:
    """The resources the writes address: made once per test, shared by its examples."""
    return await _resources(client, operator)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_control_characters_in_bodies(
    client: httpx.AsyncClient, operator: dict[str, str], ids: dict[str, str], data: st.DataObject
) -> None:
    method, path, template = data.draw(st.sampled_from(WRITES), label="write")
    body = _fill(template, ids)
    leaf = data.draw(st.sampled_from(sorted(_leaves(body))), label="field")
    control = data.draw(st.sampled_from(CONTROLS), label="control")
    at = data.draw(st.integers(0, 64), label="at")
    poisoned = _poison(body, leaf, at, control)
    response = await client.request(method, path.format(**ids), json=poisoned, headers=operator)
    assert response.status_code < 500, response.text
    free = leaf.startswith(FREE_TEXT)
    if control == "\x00" or not free:
        assert response.status_code == 400, (leaf, response.text)
        fields = [d["field"] for d in response.json()["error"].get("details", [])]
        top = leaf.split(".")[0]
        assert any(f.replace("[", ".").split(".")[0] == top for f in fields), (leaf, fields)


async def _operations(client: httpx.AsyncClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = (await client.get("/v1/openapi.json")).json()
    return [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]


async def test_control_characters_in_path_ids(
    client: httpx.AsyncClient, operator: dict[str, str]
) -> None:
    checked = 0
    for (method, path, operation), control in itertools.product(
        await _operations(client), ["\x00", "\t", "\x7f"]
    ):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        for name in names:
            filled = path
            for other in names:
                value = quote(f"MO{control}00") if other == name else "MO" + "0" * 32
                filled = filled.replace("{" + other + "}", value)
            response = await client.request(method, filled, headers=operator, json={})
            assert response.status_code == 400, (method, path, response.text)
            assert response.json()["error"]["details"][0] == {
                "field": name,
                "rule": "control_character",
                "message": f"{name}: must be one line of printable text "
                f"(it holds U+{ord(control):04X})",
            }
            checked += 1
    assert checked >= 150


async def test_control_characters_in_query_parameters(
    client: httpx.AsyncClient, operator: dict[str, str]
) -> None:
    checked = 0
    for (method, path, operation), control in itertools.product(
        await _operations(client), ["\x00", "\n", "\x1b"]
    ):
        if "{" in path:
            path = path.replace("{sid}", "MO" + "0" * 32)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = await client.request(
                method, path, params={name: f"a{control}b"}, headers=operator
            )
            assert response.status_code == 400, (method, path, name, response.text)
            assert response.json()["error"]["details"][0]["field"] == name
            checked += 1
    assert checked >= 120


async def test_free_text_keeps_tabs_and_newlines_on_both_storages(
    client: httpx.AsyncClient, operator: dict[str, str]
) -> None:
    body = {
        "kind": "http",
        "target": "http://127.0.0.1:9/",
        "options": {"method": "POST", "body": "line 1\n\tline 2", "keyword": "a\tb"},
    }
    created = await client.post("/v1/monitors", json=body, headers=operator)
    assert created.status_code == 201, created.text
    options = created.json()["data"]["options"]
    assert (options["body"], options["keyword"]) == ("line 1\n\tline 2", "a\tb")
