"""The Entri Monitor dialect as its own small ASGI app. 002's paths sit at the root of its
base URL, so the app is not mounted under a prefix: it claims the paths `/token` and
`/monitor/…` (nothing else of watchwire's lives there) and sees them unchanged, so its
errors, unknown paths under `/monitor` included, answer in its own shape."""

from __future__ import annotations

from fastapi import FastAPI

from watchwire.api.dialects.entri import batch, domains, envelope, health, records, token
from watchwire.api.dialects.kit import routes

PATHS = ("/token", "/monitor")
# Every router of the dialect, in one place (the isolation test walks their routes).
ROUTERS = (token.router, batch.router, domains.router, records.router, health.router)


def create_dialect_app(parent: FastAPI) -> FastAPI:
    return routes.dialect_app(
        parent, "watchwire — Entri Monitor dialect", envelope.install, ROUTERS
    )


def mount(parent: FastAPI) -> None:
    routes.claim(parent, PATHS, create_dialect_app(parent))
