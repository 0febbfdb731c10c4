"""The operators' dashboard at `/`: sign-in with email and password, the monitors (list,
page, forms, actions), webhooks, events, deliveries, API keys and users, rendered on the server
(Jinja2) with htmx for the live list; every page reads without JavaScript.

A face like the API: each route authenticates (session.py), calls the services through
the runtime and renders. Forms post through `session.posted` (CSRF token, role)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from watchwire.web.dashboard import (
    routes_account,
    routes_contacts,
    routes_monitors,
    routes_session,
    routes_status_pages,
    routes_tools,
    routes_watches,
    routes_webhooks,
)
from watchwire.web.dashboard.routes_session import home
from watchwire.web.dashboard.session import page_owner

__all__ = ["ROUTERS", "STATIC_URL", "home", "install", "page_owner"]

STATIC_URL = "/static/dashboard"


# Every router of the dashboard (a test posts to each POST route without a CSRF token).
ROUTERS = (
    routes_session.router,
    routes_monitors.router,
    routes_account.router,
    routes_webhooks.router,
    routes_watches.router,
    routes_status_pages.router,
    routes_tools.router,
    routes_contacts.router,
)


def install(app: FastAPI) -> None:
    for routes in ROUTERS:
        app.include_router(routes)
    # Named by version (htmx-2.0.11.min.js): a new file is a new name, so browsers may keep it.
    app.mount(STATIC_URL, StaticFiles(directory=Path(__file__).parent / "static"), name="dashboard")
