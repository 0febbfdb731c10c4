"""Property: whatever a client sends to monitors.php, /api/v4/webhooks or /api/v4/events —
any action, id, paging number or field value, wrong types, huge numbers, control
characters — the answer is never a 5xx, and every error is in 000's envelope; on SQLite and
PostgreSQL alike. (The tools are left out: a drawn target could be a public name, which no
test may resolve; their parameters' rules are in test_tools.py and test_wire.py.)"""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson
import pytest
from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st

from tests.dialects.generatorlabs.hostile import JSON_VALUES, SETTINGS, TEXTS
from watchwire.api.dialects.enterno.app import ROUTERS
from watchwire.api.dialects.enterno.monitors import ACTIONS
from watchwire.runtime import Runtime

ROUTES = sorted(
    (method, route.path)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute)
    and (route.path.endswith("/monitors.php") or not route.path.endswith(".php"))
    for method in route.methods or ()
)
FIELDS = (
    "name",
    "url",
    "check_type",
    "interval",
    "port",
    "tags",
    "keyword",
    "method",
    "body",
    "headers",
    "assertions",
    "paused",
    "note",
    "group_name",
    "cache_bust",
    "monitors",
    "visibility",
    "description",
    "events",
    "secret",
    "is_active",
    "legacy_signature",
)
IDS = st.one_of(st.integers(min_value=-5, max_value=2**70), TEXTS, st.just("MO" + "0" * 32))
QUERIES = st.fixed_dictionaries(
    {},
    optional={
        "action": st.one_of(st.sampled_from((*ACTIONS, "test")), TEXTS),
        "id": IDS,
        "webhook_id": IDS,
        "page": IDS,
        "per_page": IDS,
        "status": TEXTS,
        "event_type": TEXTS,
    },
)
BODIES = st.one_of(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6), JSON_VALUES)


@pytest.fixture
async def owned(enterno: httpx.AsyncClient) -> None:
    """A real monitor and webhook, so hostile requests reach real rows."""
    monitor = {"url": "https://owned.example.test/"}
    assert (
        await enterno.post("/api/v3/monitors.php?action=create", json=monitor)
    ).status_code == 201
    hook = {"url": "https://owned.example.test/hook"}
    assert (await enterno.post("/api/v4/webhooks", json=hook)).status_code == 201


def is_enternos_answer(response: httpx.Response) -> bool:
    body: Any = response.json()
    if response.status_code < 400:
        return set(body) == {"data", "meta"}
    return set(body) == {"error", "meta"} and {"code", "message"} <= set(body["error"])


@SETTINGS
@given(data=st.data())
async def test_no_input_makes_a_5xx(
    enterno: httpx.AsyncClient, runtime: Runtime, owned: None, data: st.DataObject
) -> None:
    method, path = data.draw(st.sampled_from(ROUTES))
    query = {k: str(v) for k, v in data.draw(QUERIES).items()}
    body = data.draw(BODIES) if method != "GET" else None
    await runtime.limiter.storage.reset()  # the plan's minute budget would answer 429
    response = await enterno.request(
        method,
        path,
        params=query,
        content=None if body is None else _json(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code < 500, (method, path, query, body, response.text)
    assert is_enternos_answer(response), response.text


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # integers beyond 64 bits: the stdlib writes them
        return json.dumps(value).encode()
