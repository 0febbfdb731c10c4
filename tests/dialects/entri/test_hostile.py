"""Property: whatever JSON a client sends to any route of the dialect — wrong types, huge
numbers, NUL and other control characters, very long strings, records that are not records
— and whatever it puts in the path, the answer is never a 5xx, and every 4xx is in the
dialect's one error shape; on SQLite and PostgreSQL alike. The strategies are the Generator
Labs tests' (hostile.py); the routes are read from the dialect's routers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st

from tests.dialects.generatorlabs.hostile import JSON_VALUES, SETTINGS, TEXTS
from watchwire.api.dialects.entri.app import ROUTERS
from watchwire.runtime import Runtime

ROUTES = sorted(
    (method, route.path)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute) and route.path != "/token"
    for method in route.methods or ()
)
RECORD = {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 3600}
FIELDS = ("domain", "dnsRecords", "user_id", "domains", "type", "host", "value", "ttl", "priority")
RECORDS = st.lists(
    st.one_of(
        st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6),
        st.builds(lambda value: {**RECORD, "value": value}, TEXTS),
        st.builds(lambda ttl: {**RECORD, "ttl": ttl}, JSON_VALUES),
        JSON_VALUES,
    ),
    max_size=4,
)
BODIES = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "domain": st.one_of(st.just("owned.example"), TEXTS, JSON_VALUES),
            "dnsRecords": st.one_of(RECORDS, JSON_VALUES),
            "user_id": st.one_of(TEXTS, JSON_VALUES),
            "domains": st.one_of(
                st.lists(
                    st.fixed_dictionaries({"domain": TEXTS, "dnsRecords": RECORDS}), max_size=3
                ),
                JSON_VALUES,
            ),
        },
    ),
    JSON_VALUES,
)
QUERIES = st.dictionaries(
    st.sampled_from(("offset", "limit", "from_date", "to_date")), TEXTS, max_size=3
)
PATH_VALUES = st.one_of(
    st.just("owned.example"),
    st.just("BR" + "0" * 32),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40),
)


@pytest.fixture
async def owned(entri: httpx.AsyncClient) -> str:
    """A real domain, so hostile requests reach real rows."""
    body = {"domain": "owned.example", "dnsRecords": [RECORD]}
    assert (await entri.post("/monitor/domains", json=body)).status_code == 201
    return "owned.example"


def is_the_dialects_answer(response: httpx.Response) -> bool:
    if response.status_code < 400:
        return True
    body: Any = response.json()
    return set(body) == {"message", "code", "errors"} and isinstance(body["errors"], list)


@SETTINGS
@given(data=st.data())
async def test_no_input_makes_a_5xx(
    entri: httpx.AsyncClient, runtime: Runtime, owned: str, data: st.DataObject
) -> None:
    method, path = data.draw(st.sampled_from(ROUTES))
    for name in ("{domain_name}", "{request_id}"):
        if name in path:
            value = data.draw(PATH_VALUES)
            path = path.replace(name, quote(value, safe=""))
    body = data.draw(BODIES) if method != "GET" else None
    await runtime.limiter.storage.reset()  # the plan's minute budget would answer 429
    response = await entri.request(
        method,
        path,
        params=data.draw(QUERIES),
        content=None if body is None else _json(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code < 500, (method, path, body, response.text)
    assert is_the_dialects_answer(response), response.text


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # integers beyond 64 bits: the stdlib writes them
        return json.dumps(value).encode()
