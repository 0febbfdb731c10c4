"""Property: over every route of the dialect, another account's key neither sees nor changes
the owner's monitors, status pages, webhooks or deliveries. Naming the owner's monitor,
page or webhook answers 404 in 000's envelope; listings show none of the owner's rows; a
status page cannot list the owner's monitor. The owner's view is unchanged afterwards.

The routes are read from the dialect's routers, so a new route fails the last test until it
has an intrusion here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.dialects.enterno.conftest import asgi_client, data_of, error_of
from watchwire.api.dialects.enterno.app import ROUTERS
from watchwire.api.dialects.enterno.tools import PAGES
from watchwire.runtime import Runtime


@dataclass(frozen=True)
class Owned:
    monitor: int
    page: str
    webhook: int

    def words(self) -> tuple[str, ...]:
        # The integer ids are no words to look for (any number matches them); the owner's
        # names and the page token are.
        return (self.page, "owned.example.test", "Owner's page", "owner-hook")


Check = Callable[[httpx.Response, Owned], None]


def not_found(response: httpx.Response, owned: Owned) -> None:
    error_of(response, 404, "not_found")
    assert not any(word in response.text for word in owned.words())


def nothing_of_the_owner(response: httpx.Response, owned: Owned) -> None:
    data = data_of(response)
    assert data == [] or not any(word in response.text for word in owned.words())
    assert f'"webhook_id":{owned.webhook}' not in response.text


def refused_component(response: httpx.Response, owned: Owned) -> None:
    error = error_of(response, 400, "missing_parameter")
    assert error["details"][0]["rule"] == "not_found"


@dataclass(frozen=True)
class Intrusion:
    params: dict[str, str]  # {monitor} / {page} / {webhook} stand for the owner's
    check: Check
    body: dict[str, object] | None = None


_MONITOR_READS = [
    Intrusion({"action": "get", "id": "{monitor}"}, not_found),
    Intrusion({"action": "list"}, nothing_of_the_owner),
    Intrusion({"action": "status_pages"}, nothing_of_the_owner),
    Intrusion({"action": "status_page_get", "id": "{page}"}, not_found),
]
_MONITOR_WRITES = [
    Intrusion({"action": "update", "id": "{monitor}"}, not_found, {"name": "stolen"}),
    Intrusion({"action": "pause", "id": "{monitor}"}, not_found),
    Intrusion({"action": "resume", "id": "{monitor}"}, not_found),
    Intrusion({"action": "delete", "id": "{monitor}"}, not_found),
    Intrusion({"action": "status_page_update", "id": "{page}"}, not_found, {"name": "stolen"}),
    Intrusion({"action": "status_page_delete", "id": "{page}"}, not_found),
    Intrusion(
        {"action": "status_page_create"},
        refused_component,
        {"name": "x", "monitors": ["{monitor}"]},
    ),
]

INTRUSIONS: dict[tuple[str, str], list[Intrusion]] = {
    **{(m, f"{p}/monitors.php"): _MONITOR_READS for p in ("/api/v3", "/api/v4") for m in ("GET",)},
    **{
        (m, f"{p}/monitors.php"): _MONITOR_READS + _MONITOR_WRITES
        for p in ("/api/v3", "/api/v4")
        for m in ("POST", "PUT", "DELETE")
    },
    ("GET", "/api/v4/webhooks"): [
        Intrusion({}, nothing_of_the_owner),
        Intrusion({"id": "{webhook}"}, not_found),
    ],
    ("POST", "/api/v4/webhooks"): [Intrusion({"action": "test", "id": "{webhook}"}, not_found)],
    ("PUT", "/api/v4/webhooks"): [
        Intrusion(
            {"id": "{webhook}"}, not_found, {"is_active": False, "url": "https://thief.test/"}
        )
    ],
    ("DELETE", "/api/v4/webhooks"): [Intrusion({"id": "{webhook}"}, not_found)],
    ("GET", "/api/v4/events"): [
        Intrusion({}, nothing_of_the_owner),
        Intrusion({"webhook_id": "{webhook}"}, nothing_of_the_owner),
    ],
    # The tools read no account's rows.
    **{
        (m, f"{p}/{page}"): []
        for page in PAGES
        for p in ("/api/v3", "/api/v4")
        for m in ("GET", "POST")
    },
}


def dialect_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    )


ROUTES = [r for r in dialect_routes() if INTRUSIONS.get(r)]


async def _owner_view(client: httpx.AsyncClient, owned: Owned) -> list[object]:
    php = "/api/v3/monitors.php"
    answers = [
        await client.get(php, params={"action": "get", "id": owned.monitor}),
        await client.get(php, params={"action": "status_page_get", "id": owned.page}),
        await client.get("/api/v4/webhooks"),
        await client.get("/api/v4/events"),
    ]
    return [a.json()["data"] for a in answers]


async def _owned(client: httpx.AsyncClient) -> Owned:
    php = "/api/v3/monitors.php"
    monitor = data_of(
        await client.post(
            php, params={"action": "create"}, json={"url": "https://owned.example.test/"}
        ),
        201,
    )
    page = data_of(
        await client.post(
            php,
            json={
                "action": "status_page_create",
                "name": "Owner's page",
                "monitors": [monitor["id"]],
            },
        ),
        201,
    )
    hook = data_of(
        await client.post(
            "/api/v4/webhooks",
            json={"url": "https://owned.example.test/hook", "name": "owner-hook"},
        ),
        201,
    )
    data_of(await client.post(f"/api/v4/webhooks?action=test&id={hook['id']}"))
    return Owned(monitor["id"], page["id"], hook["id"])


def _filled(value: object, owned: Owned) -> object:
    if isinstance(value, str):
        return value.format(monitor=owned.monitor, page=owned.page, webhook=owned.webhook)
    if isinstance(value, list):
        return [_filled(v, owned) for v in value]
    return value


async def test_another_account_cannot_reach_the_owners_rows(
    app: FastAPI, runtime: Runtime, enterno: httpx.AsyncClient
) -> None:
    """Every route's intrusions in turn (one owner, one intruder: the routes share them)."""
    owned = await _owned(enterno)
    before = await _owner_view(enterno, owned)
    intruder = await runtime.accounts.create_account("intruder", plan="business")
    async with asgi_client(app, intruder) as other:
        for method, path in ROUTES:
            for intrusion in INTRUSIONS[(method, path)]:
                params = {k: str(_filled(v, owned)) for k, v in intrusion.params.items()}
                body = (
                    None
                    if intrusion.body is None
                    else {k: _filled(v, owned) for k, v in intrusion.body.items()}
                )
                response = await other.request(method, path, params=params, json=body)
                try:
                    intrusion.check(response, owned)
                except AssertionError as exc:
                    raise AssertionError(f"{method} {path} {params}: {exc}") from exc
    assert await _owner_view(enterno, owned) == before


def test_every_route_has_an_intrusion() -> None:
    routes = dialect_routes()
    assert sorted(set(routes) - set(INTRUSIONS)) == []
    assert len(routes) == 20 + 8 + 4 + 1  # tools, monitors.php, webhooks, events
