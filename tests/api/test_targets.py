"""Malformed targets are refused at the face with a 400 naming `target`: by every host-based
tool before any lookup, and by monitor creation and update for every kind, so a monitor
cannot be stored that fails at every check (issue 23)."""

from __future__ import annotations

import httpx
import pytest

from watchwire.engine.kinds import KINDS
from watchwire.services.tools import TOOLS

LONG_LABEL = "a" * 64 + ".example.com"
BAD_HOSTS = ["not..valid", LONG_LABEL, "-leading.example.com", "10.0.0.300", "exa mple.com"]

# How each tool writes a host into its target.
TOOL_TARGETS = {
    "http": "http://{}/",
    "headers": "https://{}/",
    "port": "{}:80",
    "ping": "{}",
    "traceroute": "{}",
    "dns": "{}",
    "ip": "{}",
    "ssl": "{}:443",
    "rbl": "{}",
}
MONITOR_TARGETS = {
    "http": "http://{}/",
    "headers": "https://{}/",
    "tcp": "{}:80",
    "ping": "{}",
    "dns": "{}",
    "tcps": "{}:443",
    "ssl": "{}",
    "udp": "{}:53",
    "api": "http://{}/",
}


def _refused(response: httpx.Response, field: str = "target") -> str:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert [d["field"] for d in error["details"]] == [field], error
    return str(error["message"])


def test_every_tool_and_kind_is_covered() -> None:
    assert set(TOOL_TARGETS) == set(TOOLS)
    # A heartbeat names no target (its label is free text).
    assert set(MONITOR_TARGETS) == {name for name, kind in KINDS.items() if kind.takes_target}


@pytest.mark.parametrize("tool", sorted(TOOL_TARGETS))
async def test_tools_refuse_a_malformed_host(
    client: httpx.AsyncClient, auth: dict[str, str], tool: str
) -> None:
    for host in BAD_HOSTS:
        target = TOOL_TARGETS[tool].format(host)
        got = await client.get(f"/v1/tools/{tool}", params={"target": target}, headers=auth)
        _refused(got)
        posted = await client.post(f"/v1/tools/{tool}", json={"target": target}, headers=auth)
        _refused(posted)


@pytest.mark.parametrize("kind", sorted(MONITOR_TARGETS))
async def test_monitors_refuse_a_malformed_host(
    client: httpx.AsyncClient, auth: dict[str, str], kind: str
) -> None:
    for host in BAD_HOSTS:
        body: dict[str, object] = {"kind": kind, "target": MONITOR_TARGETS[kind].format(host)}
        if kind == "api":  # an api monitor needs its assertions to be whole
            body["options"] = {"assertions": [{"source": "status", "op": "==", "value": 200}]}
        _refused(await client.post("/v1/monitors", json=body, headers=auth))
    listed = await client.get("/v1/monitors", headers=auth)
    assert listed.json()["data"] == []


@pytest.mark.parametrize(
    ("kind", "target", "options", "says"),
    [
        ("http", "ftp://example.com/", {}, "http:// or https://"),
        ("http", "example.com", {}, "http:// or https://"),
        ("http", "https://example.com:99999/", {}, "1-65535"),
        ("http", "https://exa\u0000mple.com/", {}, ""),
        ("http", "https:///path", {}, "no host"),
        ("headers", "gopher://example.com/", {}, "http:// or https://"),
        ("tcp", "db.example.com", {}, "HOST:PORT"),
        ("tcp", "db.example.com:99999", {}, "1-65535"),
        ("tcp", "db.example.com:0", {}, "1-65535"),
        ("tcp", "db.example.com:http", {}, "1-65535"),
        ("tcp", "https://db.example.com:5432", {}, ""),
        ("ping", "host.example.com:80", {}, ""),
        ("ping", "https://host.example.com/", {}, "host name or IP address"),
        ("dns", "not..valid", {}, "DNS name"),
    ],
)
async def test_monitor_targets_are_validated_per_kind(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    kind: str,
    target: str,
    options: dict[str, object],
    says: str,
) -> None:
    body = {"kind": kind, "target": target, "options": options}
    message = _refused(await client.post("/v1/monitors", json=body, headers=auth))
    assert says in message


@pytest.mark.parametrize(
    ("kind", "target", "options"),
    [
        ("http", "https://shop.example.com/", {}),
        ("http", "http://127.0.0.1:8080/health", {}),
        ("http", "https://[2001:db8::1]/", {}),
        ("http", "https://bücher.example/", {}),
        ("headers", "https://shop.example.com/", {}),
        ("tcp", "db.example.com:5432", {}),
        ("tcp", "[2001:db8::1]:22", {}),
        ("tcp", "db.example.com", {"ports": [5432, 6432]}),
        ("ping", "192.0.2.1", {}),
        ("ping", "2001:db8::1", {}),
        ("dns", "_dmarc.example.com", {}),
        ("dns", ".", {}),
    ],
)
async def test_well_formed_targets_are_accepted(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    kind: str,
    target: str,
    options: dict[str, object],
) -> None:
    body = {"kind": kind, "target": target, "options": options, "paused": True}
    response = await client.post("/v1/monitors", json=body, headers=auth)
    assert response.status_code == 201, response.text


async def test_an_update_is_validated_like_a_creation(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = {"kind": "tcp", "target": "db.example.com", "options": {"ports": [5432]}}
    created = await client.post("/v1/monitors", json={**body, "paused": True}, headers=auth)
    assert created.status_code == 201, created.text
    sid = created.json()["data"]["sid"]
    path = f"/v1/monitors/{sid}"
    _refused(await client.patch(path, json={"target": "not..valid"}, headers=auth))
    # Dropping the ports leaves a target without a port: the merge is what is checked.
    message = _refused(await client.patch(path, json={"options": {}}, headers=auth))
    assert "HOST:PORT" in message
    unchanged = await client.get(path, headers=auth)
    assert unchanged.json()["data"]["target"] == "db.example.com"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/cert-monitors", {"hostname": "not..valid", "protocol": "https"}, "hostname"),
        ("/v1/cert-monitors", {"hostname": LONG_LABEL, "protocol": "https"}, "hostname"),
        ("/v1/domains", {"domain": "not..valid"}, "domain"),
        ("/v1/domains", {"domain": LONG_LABEL}, "domain"),
        ("/v1/rbl/hosts", {"host": "not..valid"}, "host"),
        ("/v1/rbl/hosts", {"host": LONG_LABEL}, "host"),
    ],
)
async def test_other_host_based_routes_refuse_a_malformed_host(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, body: dict[str, str], field: str
) -> None:
    _refused(await client.post(path, json=body, headers=auth), field)
