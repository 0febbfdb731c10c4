"""The updown dialect as its own small ASGI app. 001's paths sit under `/api` at the root of
its base URL, which Enterno's API (000) shares for `/api/v3` and `/api/v4`: the app claims
every path under `/api` except those two, whatever order the dialects are mounted in, and
sees its paths unchanged. So an unknown path under `/api` is answered in updown's
`{"error": …}`, and one under `/api/v3` or `/api/v4` in whatever Enterno answers."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from watchwire.api.dialects.kit import routes
from watchwire.api.dialects.updown import (
    checks,
    errors,
    history,
    nodes,
    recipients,
    status_pages,
    webhooks,
)

# All of /api but what a narrower claim takes first (Enterno's /api/v3 and /api/v4).
PATHS = ("/api",)
# Every router of the dialect, in one place (the isolation test walks their routes).
ROUTERS = (
    checks.router,
    history.router,
    recipients.router,
    webhooks.router,
    status_pages.router,
    nodes.router,
)


def create_dialect_app(parent: FastAPI) -> FastAPI:
    return routes.dialect_app(parent, "watchwire — updown.io dialect", errors.install, ROUTERS)


def error_response(status: int, code: str, message: str) -> Response:
    """An error in 001's shape, for the middlewares that answer before the dialect's app
    (an idempotency key's 409)."""
    return errors.failure(status, message)


def mount(parent: FastAPI) -> None:
    routes.claim(parent, PATHS, create_dialect_app(parent))
