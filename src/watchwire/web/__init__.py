"""The visitor face: public status pages as HTML, JSON, an Atom feed and SVG badges; and
the ping URLs of heartbeat monitors (pulse.py, installed on its own); and the operators'
dashboard (dashboard/, installed on its own).

Thin like every face: parse the request, call the status-page service's one visit, render
the `PageView` it answers. It never imports `watchwire.api` (the layer contract says so)."""

from __future__ import annotations

from fastapi import FastAPI

from watchwire.web import machine, pages, pulse
from watchwire.web.pages import Home
from watchwire.web.visits import OwnerOf, PageVisits, VisitsOf

__all__ = ["Home", "OwnerOf", "PageVisits", "VisitsOf", "install", "pulse"]


def install(app: FastAPI, visits_of: VisitsOf, owner_of: OwnerOf, home: Home | None = None) -> None:
    """Mounts the visitor routes. The machine-readable routes go first so that
    `/p/{token}.json` is never read as the token `x.json`. `home` answers `/` where no
    page has its own domain (the dashboard)."""
    opener = pages.Opener(visits_of, owner_of)
    for routes in (machine.router(opener), pages.router(opener, home)):
        app.include_router(routes)
