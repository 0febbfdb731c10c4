"""Property: over every route of the dialect, another account's token neither sees nor changes
the owner's domains, records or batches. A route naming the owner's domain or batch answers
404 in the dialect's shape; a listing or summary shows none of the owner's rows; a create of
the same name makes the intruder's own domain. The owner's view is unchanged afterwards.

The routes are read from the dialect's routers, so a new route fails the last test until it
has an intrusion here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.dialects.entri.conftest import asgi_client, signed_in
from watchwire.api.dialects.entri.app import ROUTERS
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

RECORD = {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 3600}
STOLEN = {"type": "A", "host": "@", "value": "203.0.113.66", "ttl": 60}
NAME = "owned.example"


@dataclass(frozen=True)
class Owned:
    sid: str
    request_id: str


Check = Callable[[httpx.Response, Owned], None]


def not_found(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code == 404, response.text
    assert set(response.json()) == {"message", "code", "errors"}
    assert owned.sid not in response.text and NAME not in response.text


def nothing_of_the_owner(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code < 300, response.text
    assert NAME not in response.text and owned.sid not in response.text
    assert owned.request_id not in response.text


def counts_nothing(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["domains"]["total"] == 0


def own_domain(response: httpx.Response, owned: Owned) -> None:
    assert response.status_code in (201, 202), response.text


@dataclass(frozen=True)
class Intrusion:
    path: str  # with {name} / {request_id} standing for the owner's
    body: dict[str, object] | None
    check: Check


# (method, route path) -> what the intruder sends and what it must get.
INTRUSIONS: dict[tuple[str, str], list[Intrusion]] = {
    ("GET", "/monitor/domains"): [Intrusion("/monitor/domains", None, nothing_of_the_owner)],
    ("POST", "/monitor/domains"): [
        Intrusion("/monitor/domains", {"domain": NAME, "dnsRecords": [STOLEN]}, own_domain)
    ],
    ("PUT", "/monitor/domains"): [
        Intrusion("/monitor/domains", {"domain": NAME, "dnsRecords": [STOLEN]}, not_found),
        Intrusion("/monitor/domains", {"domain": "{sid}", "user_id": "thief"}, not_found),
    ],
    ("DELETE", "/monitor/domains"): [
        Intrusion("/monitor/domains", {"domain": NAME}, not_found),
        Intrusion("/monitor/domains", {"domain": "{sid}"}, not_found),
    ],
    ("GET", "/monitor/domains/{domain_name}"): [
        Intrusion("/monitor/domains/{name}", None, not_found),
        Intrusion("/monitor/domains/{sid}", None, not_found),
    ],
    **{
        (method, "/monitor/domains/{domain_name}/records"): [
            Intrusion("/monitor/domains/{name}/records", body, not_found),
            Intrusion("/monitor/domains/{sid}/records", body, not_found),
        ]
        for method, body in (
            ("GET", None),
            ("POST", {"dnsRecords": [STOLEN]}),
            ("PUT", {"dnsRecords": [STOLEN]}),
            ("DELETE", {"dnsRecords": [RECORD]}),
        )
    },
    ("POST", "/monitor/domains/batch"): [
        Intrusion(
            "/monitor/domains/batch",
            {"domains": [{"domain": NAME, "dnsRecords": [STOLEN]}]},
            own_domain,
        )
    ],
    ("GET", "/monitor/domains/batch/status/{request_id}"): [
        Intrusion("/monitor/domains/batch/status/{request_id}", None, not_found)
    ],
    ("GET", "/monitor/health"): [Intrusion("/monitor/health", None, nothing_of_the_owner)],
    ("GET", "/monitor/status"): [Intrusion("/monitor/status", None, counts_nothing)],
    # /token names no account's rows: a token for the intruder's own key only.
    ("POST", "/token"): [],
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


async def _owner_view(client: httpx.AsyncClient, request_id: str) -> list[object]:
    return [
        (await client.get(f"/monitor/domains/{NAME}")).json(),
        (await client.get(f"/monitor/domains/{NAME}/records")).json(),
        (await client.get(f"/monitor/domains/batch/status/{request_id}")).json(),
        (await client.get("/monitor/status")).json(),
    ]


async def _owned(client: httpx.AsyncClient, runtime: Runtime, account_sid: str) -> Owned:
    created = await client.post("/monitor/domains", json={"domain": NAME, "dnsRecords": [RECORD]})
    assert created.status_code == 201, created.text
    batch = await client.post(
        "/monitor/domains/batch",
        json={"domains": [{"domain": "later.example", "dnsRecords": [RECORD]}]},
    )
    assert batch.status_code == 202, batch.text
    # The dialect names domains by name; the SID (which it also accepts) is the service's.
    domain = await runtime.domains.get(account_sid, NAME)
    return Owned(domain.sid, batch.json()["request_id"])


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_another_account_cannot_reach_the_owners_rows(
    app: FastAPI,
    runtime: Runtime,
    entri: httpx.AsyncClient,
    account: CreatedKey,
    method: str,
    path: str,
) -> None:
    owned = await _owned(entri, runtime, account.account_sid)
    before = await _owner_view(entri, owned.request_id)
    intruder = await runtime.accounts.create_account("intruder")
    async with asgi_client(app) as other:
        await signed_in(other, intruder)
        for intrusion in INTRUSIONS[(method, path)]:
            target = intrusion.path.format(name=NAME, sid=owned.sid, request_id=owned.request_id)
            body = None
            if intrusion.body is not None:
                body = {
                    k: (v.format(sid=owned.sid) if isinstance(v, str) else v)
                    for k, v in intrusion.body.items()
                }
            response = await other.request(method, target, json=body)
            intrusion.check(response, owned)
    assert await _owner_view(entri, owned.request_id) == before


def test_every_route_has_an_intrusion() -> None:
    routes = dialect_routes()
    assert sorted(set(routes) - set(INTRUSIONS)) == []
    assert len(routes) == 14  # token, 5 domains, 4 records, 2 batch, health, status
