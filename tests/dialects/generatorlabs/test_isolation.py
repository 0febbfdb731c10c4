"""Property: over every dialect route with a path id, another account's row answers 404 in
003's envelope (never 403, never the row) and stays unchanged.

The routes are read from the mounted dialect app, so a new route is covered as soon as its
resource has a creator in CREATORS (the last test fails until it has one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.dialects.generatorlabs.conftest import dialect_client
from watchwire.api.dialects.generatorlabs.app import ROUTERS
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

Create = Callable[[httpx.AsyncClient], Awaitable[str]]

# Every field any write endpoint reads; unknown ones are ignored by each.
HOSTILE_BODY = {
    "name": "stolen",
    "contact": "thief@example.com",
    "is_default": "true",
    "authcode": "abc123",
    "host": "stolen.example.net",
    "tags": "stolen",
}


async def _contact(client: httpx.AsyncClient) -> str:
    body = {"contact": "ops@example.com", "type": "email"}
    response = await client.post("/contact/contacts.json", data=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


async def _group(client: httpx.AsyncClient) -> str:
    response = await client.post("/contact/groups.json", data={"name": "ops"})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


async def _created(client: httpx.AsyncClient, path: str, body: dict[str, str]) -> str:
    response = await client.post(path, data=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return str((data[0] if isinstance(data, list) else data)["id"])


async def _rbl_host(client: httpx.AsyncClient) -> str:
    return await _created(client, "/rbl/hosts.json", {"host": "192.0.2.1", "name": "mail"})


async def _rbl_profile(client: httpx.AsyncClient) -> str:
    return await _created(client, "/rbl/profiles.json", {"name": "mine"})


async def _rbl_source(client: httpx.AsyncClient) -> str:
    return await _created(client, "/rbl/sources.json", {"host": "bl.example.net", "type": "rbl"})


async def _rbl_check(client: httpx.AsyncClient) -> str:
    return await _created(client, "/rbl/check/start.json", {"host": "192.0.2.1"})


async def _cert_profile(client: httpx.AsyncClient) -> str:
    return await _created(client, "/cert/profiles.json", {"name": "mine"})


async def _cert_monitor(client: httpx.AsyncClient) -> str:
    body = {"hostname": "127.0.0.1", "protocol": "https", "name": "mine"}
    return await _created(client, "/cert/monitors.json", body)


# Resource path (up to and including its id) -> how the owner creates one.
CREATORS: dict[str, Create] = {
    "/contact/contacts/{id}": _contact,
    "/contact/groups/{id}": _group,
    "/rbl/hosts/{id}": _rbl_host,
    "/rbl/profiles/{id}": _rbl_profile,
    "/rbl/sources/{id}": _rbl_source,
    "/rbl/check/status/{id}": _rbl_check,
    "/cert/profiles/{id}": _cert_profile,
    "/cert/monitors/{id}": _cert_monitor,
}


def dialect_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "{id}" in route.path
        for method in route.methods or ()
    )


def resource_of(path: str) -> str:
    return path[: path.index("{id}") + len("{id}")]


ROUTES = dialect_routes()


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_other_account_gets_404(
    app: FastAPI,
    runtime: Runtime,
    gl: httpx.AsyncClient,
    method: str,
    path: str,
) -> None:
    resource = resource_of(path)
    owned = await CREATORS[resource](gl)
    read_back = resource.format(id=owned) + ".json"  # every resource reads back at its path
    before = (await gl.get(read_back)).json()
    intruder = await runtime.accounts.create_account("intruder")
    async with dialect_client(app, intruder) as other:
        body = None if method in ("GET", "DELETE") else HOSTILE_BODY
        response = await other.request(method, path.format(id=owned), data=body)
    assert response.status_code == 404, response.text
    assert response.json()["status_code"] == 404
    assert owned not in response.text
    assert (await gl.get(read_back)).json() == before


def test_every_routed_resource_has_a_creator() -> None:
    missing = sorted({resource_of(p) for _, p in ROUTES} - set(CREATORS))
    assert not missing, f"add creators for {missing}"
    assert len(ROUTES) == 32  # 003: 10 contact, 14 rbl, 8 cert routes with an id


async def test_owner_listing_never_shows_other_accounts(
    app: FastAPI, runtime: Runtime, gl: httpx.AsyncClient, account: CreatedKey
) -> None:
    mine = {await _contact(gl), await _group(gl), await _rbl_host(gl), await _rbl_profile(gl)}
    mine |= {await _cert_monitor(gl), await _cert_profile(gl)}
    intruder = await runtime.accounts.create_account("intruder")
    async with dialect_client(app, intruder) as other:
        lists = ("/contact/contacts.json", "/contact/groups.json", "/rbl/hosts.json")
        more = ("/rbl/profiles.json", "/rbl/listings.json", "/cert/monitors.json")
        for path in (*lists, *more, "/cert/profiles.json", "/cert/errors.json"):
            body = (await other.get(path)).json()
            assert body["total"] == 0 and not set(map(str, body["data"])) & mine
