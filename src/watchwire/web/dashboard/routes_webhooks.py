"""Webhook subscriptions: the list (with failing runs), adding one (URL, name, format,
events; the secret shown once), editing one (and enabling a disabled one again), rotating
its secret (the new one shown once; the old one signs alongside for a day), a test send
through the outbox, and deleting one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.delivery.formats import FORMATS
from watchwire.errors import ConflictError, LimitError, ValidationError
from watchwire.events.catalog import CATALOG
from watchwire.pagination import PageRequest
from watchwire.web.dashboard import session
from watchwire.web.dashboard.form_errors import placed
from watchwire.web.dashboard.monitor_form import FORM_LEVEL
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
FIELDS = ("url", "name", "format", "events")


@router.get("/webhooks")
async def webhooks_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _page(request, current, tested="tested" in request.query_params)


@router.post("/webhooks")
async def add_webhook(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    events = [e for e in form.getlist("events") if isinstance(e, str)]
    try:
        made = await session.runtime_of(request).subscriptions.create(
            current.account.sid,
            current.account.plan,
            url=str(form.get("url") or "").strip(),
            name=str(form.get("name") or "").strip(),
            events=events or None,
            format=str(form.get("format") or "standard"),
        )
    except (ValidationError, LimitError, ConflictError) as exc:
        return await _page(request, current, error=exc.message, status=400)
    return await _page(request, current, secret=made.secret, status=201)


@router.get("/webhooks/{sid}/edit")
async def edit_form(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    found = await session.runtime_of(request).subscriptions.get(current.account.sid, sid)
    values = {
        "url": found.url,
        "name": found.name,
        "format": found.format,
        "events": list(found.events or ()),
        "is_active": found.is_active,
    }
    return _form(current, sid, values, {})


@router.post("/webhooks/{sid}/edit")
async def edit_webhook(request: Request, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    events = [e for e in form.getlist("events") if isinstance(e, str)]
    changes: dict[str, Any] = {
        "url": str(form.get("url") or "").strip(),
        "name": str(form.get("name") or "").strip(),
        "format": str(form.get("format") or "standard"),
        "events": events or None,
        "is_active": form.get("is_active") == "on",
    }
    try:
        await session.runtime_of(request).subscriptions.update(
            current.account.sid, sid, current.account.plan, changes
        )
    except (ValidationError, LimitError) as exc:
        values = {**changes, "events": events}
        return _form(current, sid, values, placed(exc, FIELDS), status=400)
    return RedirectResponse("/webhooks", status_code=303)


@router.post("/webhooks/{sid}/rotate")
async def rotate_secret(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    rotated = await session.runtime_of(request).subscriptions.rotate_secret(
        current.account.sid, sid
    )
    return await _page(request, current, secret=rotated.secret, rotated=True)


@router.post("/webhooks/{sid}/test")
async def test_webhook(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    await session.runtime_of(request).subscriptions.send_test(current.account.sid, sid)
    return RedirectResponse("/webhooks?tested", status_code=303)


@router.post("/webhooks/{sid}/delete")
async def delete_webhook(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    await session.runtime_of(request).subscriptions.delete(current.account.sid, sid)
    return RedirectResponse("/webhooks", status_code=303)


async def _page(
    request: Request,
    current: session.Visit,
    *,
    secret: str | None = None,
    error: str | None = None,
    tested: bool = False,
    rotated: bool = False,
    status: int = 200,
) -> Response:
    found = await session.runtime_of(request).subscriptions.list_page(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "webhooks.html",
        status,
        visit=current,
        section="/webhooks",
        webhooks=found.items,
        formats=tuple(FORMATS),
        types=sorted(CATALOG),
        secret=secret,
        error=error,
        tested=tested,
        rotated=rotated,
    )


def _form(
    current: session.Visit,
    sid: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        "webhook_form.html",
        status,
        visit=current,
        section="/webhooks",
        sid=sid,
        formats=tuple(FORMATS),
        types=sorted(CATALOG),
        values=values,
        errors=errors,
        form_level=errors.get(FORM_LEVEL),
    )
