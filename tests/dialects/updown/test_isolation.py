"""Property: over every route of the dialect, another account's key neither sees nor changes
the owner's checks, recipients, webhooks or status pages: a route naming one of them answers
404 `{"error": …}`, a listing shows none of them, a create makes the intruder's own. The
owner's view is unchanged afterwards.

The routes are read from the dialect's routers, so a new route fails the last test until it
has an intrusion here. All intrusions run in one test per storage (CI budget)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.dialects.updown.conftest import asgi_client
from watchwire.api.dialects.updown.app import ROUTERS
from watchwire.runtime import Runtime

URL = "https://owned.example/"


@dataclass(frozen=True)
class Owned:
    check: str
    webhook: str
    contact: str
    page: str

    def secrets(self) -> tuple[str, ...]:
        return (self.check, self.webhook, self.contact, self.page, URL)


Check = Callable[[httpx.Response, Owned], None]


def not_found(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code == 404, response.text
    assert set(response.json()) == {"error"}


def nothing_of_the_owner(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code < 300, response.text
    assert not any(secret in response.text for secret in owned.secrets()), response.text


def refused_naming(response: httpx.Response, owned: Owned) -> None:
    """A create naming the owner's rows: 400, as for rows that do not exist."""
    assert response.status_code == 400, response.text


def own_one(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code == 201, response.text


@dataclass(frozen=True)
class Intrusion:
    path: str  # {check}, {webhook}, {contact}, {page} stand for the owner's
    body: dict[str, object] | None
    check: Check


def _pages(spelling: str) -> dict[tuple[str, str], list[Intrusion]]:
    item = f"{spelling}/{{token}}"
    return {
        ("GET", spelling): [Intrusion(spelling, None, nothing_of_the_owner)],
        ("POST", spelling): [
            Intrusion(spelling, {"name": "Mine", "checks": ["{check}"]}, refused_naming),
            Intrusion(spelling, {"name": "Mine"}, own_one),
        ],
        ("GET", item): [Intrusion(f"{spelling}/{{page}}", None, not_found)],
        ("PUT", item): [Intrusion(f"{spelling}/{{page}}", {"name": "Taken"}, not_found)],
        ("DELETE", item): [Intrusion(f"{spelling}/{{page}}", None, not_found)],
    }


INTRUSIONS: dict[tuple[str, str], list[Intrusion]] = {
    ("GET", "/api/checks"): [Intrusion("/api/checks", None, nothing_of_the_owner)],
    ("POST", "/api/checks"): [
        Intrusion("/api/checks", {"url": URL, "recipients": ["{webhook}"]}, refused_naming),
        Intrusion("/api/checks", {"url": URL}, own_one),
    ],
    ("GET", "/api/checks/{token}"): [Intrusion("/api/checks/{check}", None, not_found)],
    ("PUT", "/api/checks/{token}"): [
        Intrusion("/api/checks/{check}", {"alias": "Taken"}, not_found)
    ],
    ("DELETE", "/api/checks/{token}"): [Intrusion("/api/checks/{check}", None, not_found)],
    ("GET", "/api/checks/{token}/downtimes"): [
        Intrusion("/api/checks/{check}/downtimes", None, not_found)
    ],
    ("GET", "/api/checks/{token}/metrics"): [
        Intrusion("/api/checks/{check}/metrics", None, not_found)
    ],
    ("GET", "/api/recipients"): [Intrusion("/api/recipients", None, nothing_of_the_owner)],
    ("POST", "/api/recipients"): [
        Intrusion("/api/recipients", {"type": "webhook", "value": "http://127.0.0.1:9/i"}, own_one)
    ],
    ("DELETE", "/api/recipients/{id}"): [
        Intrusion("/api/recipients/webhook:{webhook}", None, not_found),
        Intrusion("/api/recipients/email:{contact}", None, not_found),
    ],
    ("GET", "/api/webhooks"): [Intrusion("/api/webhooks", None, nothing_of_the_owner)],
    ("POST", "/api/webhooks"): [
        Intrusion("/api/webhooks", {"url": "http://127.0.0.1:9/j"}, own_one)
    ],
    ("DELETE", "/api/webhooks/{id}"): [Intrusion("/api/webhooks/{webhook}", None, not_found)],
    **{
        ("GET", path): [Intrusion(path, None, nothing_of_the_owner)]
        for path in ("/api/nodes", "/api/nodes/ips", "/api/nodes/ipv4", "/api/nodes/ipv6")
    },
    **_pages("/api/status_pages"),
    **_pages("/api/status-pages"),
}


def dialect_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    )


async def _owner_view(client: httpx.AsyncClient, owned: Owned) -> list[object]:
    return [
        (await client.get(f"/api/checks/{owned.check}")).json(),
        (await client.get("/api/recipients")).json(),
        (await client.get(f"/api/status_pages/{owned.page}")).json(),
    ]


async def _owned(client: httpx.AsyncClient) -> Owned:
    hook = (await client.post("/api/webhooks", data={"url": "http://127.0.0.1:9/o"})).json()
    mail = await client.post("/api/recipients", data={"type": "email", "value": "o@example.com"})
    check = await client.post("/api/checks", data={"url": URL, "recipients[]": hook["id"]})
    page = await client.post(
        "/api/status_pages", data={"name": "Owned", "checks[]": check.json()["token"]}
    )
    return Owned(check.json()["token"], hook["id"], mail.json()["id"][6:], page.json()["token"])


def _filled(value: object, owned: Owned) -> object:
    if isinstance(value, str):
        return value.format(**vars(owned))
    if isinstance(value, list):
        return [_filled(v, owned) for v in value]
    return value


async def test_another_account_cannot_reach_the_owners_rows(
    app: FastAPI, runtime: Runtime, updown: httpx.AsyncClient
) -> None:
    owned = await _owned(updown)
    before = await _owner_view(updown, owned)
    intruder = await runtime.accounts.create_account("intruder", plan="business")
    async with asgi_client(app, intruder.key) as other:
        for (method, _), intrusions in INTRUSIONS.items():
            for intrusion in intrusions:
                body = None
                if intrusion.body is not None:
                    body = {k: _filled(v, owned) for k, v in intrusion.body.items()}
                response = await other.request(
                    method, str(_filled(intrusion.path, owned)), json=body
                )
                intrusion.check(response, owned)
    assert await _owner_view(updown, owned) == before


def test_every_route_has_an_intrusion() -> None:
    routes = dialect_routes()
    assert sorted(set(routes) - set(INTRUSIONS)) == []
    assert sorted(set(INTRUSIONS) - set(routes)) == []
