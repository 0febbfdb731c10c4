"""Webhook subscriptions: the list (with failing runs), adding one (URL, name, format,
events; the secret shown once), a test send through the outbox, and deleting one."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.delivery.formats import FORMATS
from watchwire.errors import ConflictError, LimitError, ValidationError
from watchwire.events.catalog import CATALOG
from watchwire.pagination import PageRequest
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


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
    )
