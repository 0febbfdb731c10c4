"""Property: whatever a client sends to any /4.0 route — wrong types, huge numbers, NUL and
other control characters, very long strings, Rails arrays and maps where values belong,
bogus content types and encodings — the answer is never a 5xx, and every 4xx is in 003's
envelope; on SQLite and PostgreSQL alike (the fixtures run each test on both).

The routes are read from the dialect's routers, so a new route is driven at once; the
strategies live in hostile.py. test_bounds.py holds the fixed cases (10 MB bodies, paging
bounds, NUL naming its field).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.dialects.generatorlabs.hostile import (
    CONTENT_TYPES,
    HUGE,
    JSON_VALUES,
    NASTY,
    NUMERIC_FIELDS,
    RAW_BODIES,
    READS,
    ROUTES,
    SETTINGS,
    SIDS,
    TEXTS,
    WRITES,
    is_003s_answer,
    merged,
    names_for,
    route_fields,
)
from tests.dialects.generatorlabs.test_isolation import CREATORS, resource_of
from watchwire.runtime import Runtime


@pytest.fixture
async def owned(gl: httpx.AsyncClient) -> dict[str, str]:
    """One real resource of every kind a path names, so hostile requests reach real rows."""
    return {resource: await create(gl) for resource, create in CREATORS.items()}


async def fresh_budget(runtime: Runtime) -> None:
    # 003's per-second windows would otherwise answer 429 to most of a fast run.
    await runtime.limiter.storage.reset()


def draw_path(data: st.DataObject, path: str, owned: dict[str, str], hostile_ids: bool) -> str:
    """`path` with its id: mostly the real row's, else another well-formed SID or
    (`hostile_ids`) any text at all."""
    if "{id}" not in path:
        return path
    choice = data.draw(st.integers(0, 5 if hostile_ids else 4))
    if choice < 4:
        chosen = owned[resource_of(path)]
    elif choice == 4:
        chosen = data.draw(st.sampled_from(SIDS))
    else:
        chosen = data.draw(TEXTS.filter(lambda t: t.strip() not in ("", ".", "..")))
    return path.replace("{id}", quote(chosen, safe=""))


def draw_pairs(
    data: st.DataObject, route: tuple[str, str], owned: dict[str, str], *, brackets: bool = True
) -> list[tuple[str, Any]]:
    """One of the route's own fields with a hostile value (numbers first for numeric
    fields), then up to two more of any name with hostile texts or the SIDs of real rows
    (so references resolve and requests go deeper)."""
    method, path = route
    name = data.draw(st.sampled_from(route_fields(method, path)))
    if brackets:
        name += data.draw(st.sampled_from(["", "", "", "[]", "[url]"]))
    numeric = name.partition("[")[0] in NUMERIC_FIELDS
    first = data.draw(
        st.one_of(st.sampled_from(HUGE), NASTY, TEXTS) if numeric else st.one_of(NASTY, TEXTS)
    )
    real = st.sampled_from(sorted(owned.values()))
    more = st.tuples(names_for(method, path, brackets=brackets), st.one_of(TEXTS, real))
    return [(name, first), *data.draw(st.lists(more, max_size=2))]


@SETTINGS
@given(data=st.data())
async def test_hostile_query_strings(
    runtime: Runtime, gl: httpx.AsyncClient, owned: dict[str, str], data: st.DataObject
) -> None:
    await fresh_budget(runtime)
    # Reads half the time: they take their fields (paging, filters) from the query alone.
    method, path = route = data.draw(st.one_of(st.sampled_from(READS), st.sampled_from(ROUTES)))
    url = draw_path(data, path, owned, hostile_ids=True)
    query = draw_pairs(data, route, owned)
    is_003s_answer(await gl.request(method, url, params=query))


@SETTINGS
@given(data=st.data())
async def test_hostile_form_bodies(
    runtime: Runtime, gl: httpx.AsyncClient, owned: dict[str, str], data: st.DataObject
) -> None:
    await fresh_budget(runtime)
    method, path = route = data.draw(st.sampled_from(WRITES))
    url = draw_path(data, path, owned, hostile_ids=False)
    pairs = merged(path, draw_pairs(data, route, owned))
    if data.draw(st.booleans()):
        form: dict[str, list[str]] = {}
        for name, value in pairs:  # repeated names (Rails arrays) as repeated pairs
            form.setdefault(name, []).append(value)
        response = await gl.request(method, url, data=form)
    else:
        files = [(name, (None, value.encode())) for name, value in pairs]
        response = await gl.request(method, url, files=files)
    is_003s_answer(response)


def _fits(value: Any) -> bool:
    """Whether orjson can write `value` (it stops at 64-bit integers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**64
    if isinstance(value, list):
        return all(map(_fits, value))
    if isinstance(value, dict):
        return all(map(_fits, value.values()))
    return True


@SETTINGS
@given(data=st.data())
async def test_hostile_json_bodies(
    runtime: Runtime, gl: httpx.AsyncClient, owned: dict[str, str], data: st.DataObject
) -> None:
    await fresh_budget(runtime)
    method, path = data.draw(st.sampled_from(WRITES))
    url = draw_path(data, path, owned, hostile_ids=False)
    name = data.draw(st.sampled_from(route_fields(method, path)))
    others = st.dictionaries(names_for(method, path, brackets=False), JSON_VALUES, max_size=2)
    hostile = {**data.draw(others), name: data.draw(JSON_VALUES)}
    body = dict(merged(path, list(hostile.items())))
    if all(map(_fits, body.values())):
        headers = {"Content-Type": "application/json"}
        response = await gl.request(method, url, content=orjson.dumps(body), headers=headers)
    else:  # integers past 64 bits: the standard encoder writes them
        response = await gl.request(method, url, json=body)
    is_003s_answer(response)


@SETTINGS
@given(route=st.sampled_from(ROUTES), body=RAW_BODIES, content_type=CONTENT_TYPES)
async def test_bogus_content_types_and_encodings(
    runtime: Runtime,
    gl: httpx.AsyncClient,
    owned: dict[str, str],
    route: tuple[str, str],
    body: bytes,
    content_type: str,
) -> None:
    await fresh_budget(runtime)
    method, path = route
    url = path.replace("{id}", owned[resource_of(path)]) if "{id}" in path else path
    headers = {"Content-Type": content_type} if content_type.strip() else {}
    is_003s_answer(await gl.request(method, url, content=body, headers=headers))


def test_every_route_is_driven() -> None:
    assert len(ROUTES) == 53  # 003's 49 routes, and the two count routes under two names
    assert {resource_of(p) for _, p in ROUTES if "{id}" in p} <= set(CREATORS)
