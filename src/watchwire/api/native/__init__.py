"""The native API, version 1: one router per resource, assembled here."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from watchwire.api.native import (
    account,
    agent,
    certs,
    contacts,
    deliveries,
    domains,
    events,
    health,
    keys,
    locations,
    monitors,
    openapi,
    rbl,
    status_pages,
    tools,
    webhooks,
)
from watchwire.api.routing import include_flat

# Each resource router with the prefix it is served under.
ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (health.router, ""),
    (account.router, "/v1"),
    (keys.router, "/v1"),
    (tools.router, "/v1"),
    (contacts.router, "/v1"),
    (monitors.router, "/v1"),
    (events.router, "/v1"),
    (webhooks.router, "/v1"),
    (deliveries.router, "/v1"),
    (domains.router, "/v1"),
    (certs.router, "/v1"),
    (rbl.router, "/v1"),
    (status_pages.router, "/v1"),
    (locations.router, "/v1"),
    (agent.router, "/v1"),
)


def install(app: FastAPI) -> None:
    """Register every native operation on the app's own router (see api/routing.py)."""
    for router, prefix in ROUTERS:
        include_flat(app.router, router, prefix)
    openapi.install(app)
