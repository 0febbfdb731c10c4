"""The Generator Labs 4.0 dialect as its own small ASGI app, mounted at `/4.0` so that its
errors (unknown paths included) answer in 003's envelope, not the native one."""

from __future__ import annotations

from fastapi import FastAPI

from watchwire.api.dialects.generatorlabs import (
    cert_monitors,
    cert_profiles,
    contacts,
    envelope,
    groups,
    rbl_checks,
    rbl_hosts,
    rbl_profiles,
    rbl_sources,
)
from watchwire.api.dialects.kit import routes

PREFIX = "/4.0"
# Every router of the dialect, in one place (the isolation test walks their routes).
ROUTERS = (
    rbl_checks.router,
    rbl_hosts.router,
    rbl_profiles.router,
    rbl_sources.router,
    cert_monitors.router,
    cert_profiles.router,
    contacts.router,
    groups.router,
)


def create_dialect_app(parent: FastAPI) -> FastAPI:
    return routes.dialect_app(
        parent, "watchwire — Generator Labs 4.0 dialect", envelope.install, ROUTERS
    )


def mount(parent: FastAPI) -> None:
    routes.mount(parent, PREFIX, create_dialect_app(parent))
