"""Every native list, found in the OpenAPI description, bounds its paging parameters: a
page or offset past what the database's integer holds is a 400 naming the parameter (it
was a 500), the bounds are in the description, and the deepest allowed page answers. Its
time parameters take the ends of time without a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from watchwire.errors import ValidationError
from watchwire.pagination import MAX_OFFSET, MAX_PAGE, MAX_PER_PAGE, PageRequest
from watchwire.runtime import Runtime

HUGE = "18446744073709551616"  # 2**64
# The largest value and the first one past it, per paging parameter.
BOUNDS = {
    "page": (1, MAX_PAGE),
    "per_page": (1, MAX_PER_PAGE),
    "offset": (0, MAX_OFFSET),
    "limit": (1, MAX_PER_PAGE),
}
TIMES = {"from", "to", "from_date", "to_date"}
EXTREME_TIMES = [
    "-99999999999999999999d",
    "in 999999999999 years",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59.999999+00:00",
    "99999999999",
]


async def _list_routes(client: httpx.AsyncClient, auth: dict[str, str]) -> list[tuple[str, Any]]:
    """(path with its ids filled, the operation) of every GET that pages."""
    spec = (await client.get("/v1/openapi.json")).json()
    monitor = await client.post(
        "/v1/monitors", json={"kind": "tcp", "target": "127.0.0.1:9"}, headers=auth
    )
    assert monitor.status_code == 201, monitor.text
    status_page = await client.post("/v1/status-pages", json={"name": "p"}, headers=auth)
    assert status_page.status_code == 201, status_page.text
    ids = {
        "/v1/monitors/{sid}": monitor.json()["data"]["sid"],
        "/v1/status-pages/{sid}": status_page.json()["data"]["token"],
    }
    routes = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        names = {p["name"] for p in (operation or {}).get("parameters", []) if p["in"] == "query"}
        if not names & (BOUNDS.keys() | TIMES):
            continue
        path = path.replace("/v1/status-pages/{token}", "/v1/status-pages/{sid}")
        for prefix, sid in ids.items():
            path = path.replace(prefix, prefix.replace("{sid}", sid))
        assert "{" not in path, f"give the test an id for {path}"
        routes.append((path, operation))
    return routes


async def test_every_list_bounds_its_paging(client: httpx.AsyncClient, runtime: Runtime) -> None:
    operator = await runtime.accounts.create_account("operator", plan="unlimited")
    auth = {"X-API-Key": operator.key}  # ~170 requests: past a Business plan's minute
    routes = await _list_routes(client, auth)
    assert len(routes) >= 17
    for path, operation in routes:
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        for name in parameters.keys() & BOUNDS.keys():
            low, high = BOUNDS[name]
            schema = parameters[name]["schema"]
            assert (schema["minimum"], schema["maximum"]) == (low, high), (path, name)
            for value in (HUGE, str(high + 1), str(low - 1), f"-{HUGE}"):
                response = await client.get(path, params={name: value}, headers=auth)
                assert response.status_code == 400, (path, name, value, response.text)
                error = response.json()["error"]
                assert error["code"] == "missing_parameter"
                assert error["details"][0]["field"] == name, (path, error)
                assert error["details"][0]["rule"] in ("less_than_equal", "greater_than_equal")
            deepest = await client.get(path, params={name: str(high)}, headers=auth)
            assert deepest.status_code == 200, (path, name, deepest.text)


async def test_every_list_takes_the_ends_of_time(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    operator = await runtime.accounts.create_account("operator", plan="unlimited")
    auth = {"X-API-Key": operator.key}
    timed = 0
    for path, operation in await _list_routes(client, auth):
        for parameter in operation["parameters"]:
            if parameter["in"] != "query" or parameter["name"] not in TIMES:
                continue
            timed += 1
            for value in EXTREME_TIMES:
                response = await client.get(path, params={parameter["name"]: value}, headers=auth)
                assert response.status_code in (200, 400), (path, value, response.text)
    assert timed >= 8


@pytest.mark.parametrize("page", [MAX_PAGE + 1, 0])
def test_page_request_refuses_pages_past_the_bounds(page: int) -> None:
    with pytest.raises(ValidationError) as raised:
        PageRequest(page=page)
    assert raised.value.details[0]["field"] == "page"
