"""The status-page editor: the account's pages, a new page, one page's settings and
components (its monitors, in the order ticked), its incidents and maintenance windows with
their updates, and a preview of the page as visitors see it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ValidationError
from watchwire.pagination import PageRequest
from watchwire.services.monitor_overview import MonitorQuery
from watchwire.services.status_pages.records import (
    INCIDENT_STATES,
    MAINTENANCE_STATES,
    VISIBILITIES,
)
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
# The monitors offered as components: the first page of the account's list, by name.
OFFERED = 100


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else None


def _fields(form: FormData) -> PageFields:
    components = [ComponentInput(sid) for sid in form.getlist("components") if isinstance(sid, str)]
    return PageFields(
        name=_text(form, "name"),
        title=_text(form, "title") or None,
        description=_text(form, "description"),
        visibility=_text(form, "visibility"),
        access_key=_text(form, "access_key") or None,
        footer=_text(form, "footer"),
        timezone=_text(form, "timezone") or None,
        components=components,
        groups=[],
    )


async def _offered(request: Request, current: session.Visit) -> list[Any]:
    overview = await session.runtime_of(request).overview.overview(
        current.account.sid, MonitorQuery(), PageRequest(1, OFFERED), with_tags=False
    )
    return [line.monitor for line in overview.lines.items]


@router.get("/status-pages")
async def pages_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _list(request, current)


async def _list(
    request: Request, current: session.Visit, *, error: str | None = None, status: int = 200
) -> Response:
    pages = await session.runtime_of(request).status_pages.list_pages(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "status_pages.html",
        status,
        visit=current,
        section="/status-pages",
        pages=pages.items,
        monitors=await _offered(request, current),
        visibilities=VISIBILITIES,
        error=error,
    )


@router.post("/status-pages")
async def create_page(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        made = await session.runtime_of(request).status_pages.create_page(
            current.account.sid, _fields(form)
        )
    except ValidationError as exc:
        return await _list(request, current, error=exc.message, status=400)
    return RedirectResponse(f"/status-pages/{made.token}", status_code=303)


@router.get("/status-pages/{token}")
async def page_editor(request: Request, token: str) -> Response:
    current = await session.visit(request)
    return await _editor(request, current, token)


async def _editor(
    request: Request,
    current: session.Visit,
    token: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    service = session.runtime_of(request).status_pages
    page = await service.get_page(current.account.sid, token)
    notices = await service.list_notices(current.account.sid, token, PageRequest(1, 50))
    return render(
        "status_page.html",
        status,
        visit=current,
        section="/status-pages",
        page=page,
        chosen={c.sid for c in page.components},
        monitors=await _offered(request, current),
        notices=notices.items,
        visibilities=VISIBILITIES,
        incident_states=INCIDENT_STATES,
        maintenance_states=MAINTENANCE_STATES,
        error=error,
    )


@router.post("/status-pages/{token}")
async def update_page(request: Request, token: str) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).status_pages.update_page(
            current.account.sid, token, _fields(form)
        )
    except ValidationError as exc:
        return await _editor(request, current, token, error=exc.message, status=400)
    return RedirectResponse(f"/status-pages/{token}", status_code=303)


@router.post("/status-pages/{token}/delete")
async def delete_page(request: Request, token: str) -> Response:
    current, _ = await session.posted(request, "edit")
    await session.runtime_of(request).status_pages.delete_page(current.account.sid, token)
    return RedirectResponse("/status-pages", status_code=303)


@router.post("/status-pages/{token}/notices")
async def add_notice(request: Request, token: str) -> Response:
    current, form = await session.posted(request, "edit")
    kind = _text(form, "type") or ""
    if kind not in ("incident", "maintenance"):
        raise ValidationError.field("type", "enum", "type: incident or maintenance")
    try:
        await session.runtime_of(request).status_pages.create_notice(
            current.account.sid,
            token,
            type=kind,  # type: ignore[arg-type]  # checked just above
            title=_text(form, "title") or "",
            message=_text(form, "message") or "",
            state=_text(form, "state") or None,
        )
    except ValidationError as exc:
        return await _editor(request, current, token, error=exc.message, status=400)
    return RedirectResponse(f"/status-pages/{token}", status_code=303)


@router.post("/status-pages/{token}/notices/{sid}/updates")
async def add_update(request: Request, token: str, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).status_pages.add_update(
            current.account.sid,
            token,
            sid,
            state=_text(form, "state") or "",
            message=_text(form, "message") or "",
        )
    except ValidationError as exc:
        return await _editor(request, current, token, error=exc.message, status=400)
    return RedirectResponse(f"/status-pages/{token}", status_code=303)
