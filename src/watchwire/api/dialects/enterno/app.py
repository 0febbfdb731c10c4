"""The Enterno dialect as its own small ASGI app. 000's paths share the `/api` root with
updown's (001), so the app is not mounted at `/api`: it claims `/api/v3` and `/api/v4`
only (kit.routes.claim, which puts a narrower claim before a broader one), and sees the
paths unchanged. Every path under those two, unknown ones included, answers in 000's
envelope; the rest of `/api` is free for another dialect to claim."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from watchwire.api.dialects.enterno import envelope, events, monitors, tools, webhooks
from watchwire.api.dialects.enterno.auth import key_in_body
from watchwire.api.dialects.kit import routes
from watchwire.api.dialects.kit.errors import Problem

PATHS = ("/api/v3", "/api/v4")
# Every router of the dialect, in one place (the isolation test walks their routes).
ROUTERS = (tools.router, monitors.router, webhooks.router, events.router)


def create_dialect_app(parent: FastAPI) -> FastAPI:
    return routes.dialect_app(
        parent, "watchwire — Enterno.io API dialect", envelope.install, ROUTERS
    )


def mount(parent: FastAPI) -> None:
    routes.claim(parent, PATHS, create_dialect_app(parent))


__all__ = ["PATHS", "ROUTERS", "error_response", "key_in_body", "mount"]


def error_response(status: int, code: str, message: str) -> Response:
    """An error in 000's envelope, for the middlewares that answer before the dialect's app
    (the idempotency key's 409)."""
    return envelope.render(Problem(status, code, message))
