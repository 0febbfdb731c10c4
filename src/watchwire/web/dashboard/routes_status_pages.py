"""The status-page editor: the account's pages, a new page, one page's settings (title,
logo, accent colour, custom domain …) and components (monitors, certificates, domains and
blocklist hosts, each with its position and group), its incidents and maintenance windows
(with a start and an end) with their updates, and a preview of the page as visitors see it
(a private page's too: the signed-in user's session opens it, see `session.page_owner`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ConflictError, ValidationError
from watchwire.pagination import PageRequest
from watchwire.services.monitor_overview import MonitorQuery
from watchwire.services.status_pages.records import (
    INCIDENT_STATES,
    MAINTENANCE_STATES,
    VISIBILITIES,
)
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.web.dashboard import session
from watchwire.web.dashboard.form_errors import placed
from watchwire.web.dashboard.monitor_form import FORM_LEVEL
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
# The monitors offered as components: the first page of the account's list, by name.
OFFERED = 100


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else None


PAGE_FIELDS = (
    "name",
    "title",
    "description",
    "visibility",
    "access_key",
    "footer",
    "timezone",
    "logo_url",
    "accent_color",
    "custom_domain",
    "groups",
    "components",
)
NOTICE_FIELDS = ("type", "title", "message", "state", "starts_at", "ends_at")


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something a page may show as a component: its SID, name and what kind it is."""

    sid: str
    name: str
    kind: str


def _components(form: FormData) -> list[ComponentInput]:
    """The ticked components, by the position typed next to each (unnumbered ones after
    the numbered, in the list's order), each in the group typed next to it."""
    ticked = [sid for sid in form.getlist("components") if isinstance(sid, str)]
    keyed = []
    for index, sid in enumerate(ticked):
        typed = _text(form, f"position.{sid}") or ""
        position = int(typed) if typed.isdigit() else 10**6
        keyed.append((position, index, ComponentInput(sid, _text(form, f"group.{sid}") or None)))
    return [item for *_, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _fields(form: FormData) -> PageFields:
    groups = (_text(form, "groups") or "").splitlines()
    return PageFields(
        name=_text(form, "name"),
        title=_text(form, "title") or None,
        description=_text(form, "description"),
        visibility=_text(form, "visibility"),
        access_key=_text(form, "access_key") or None,
        footer=_text(form, "footer"),
        timezone=_text(form, "timezone") or None,
        logo_url=_text(form, "logo_url"),
        accent_color=_text(form, "accent_color"),
        custom_domain=_text(form, "custom_domain"),
        components=_components(form),
        groups=[g.strip() for g in groups if g.strip()],
    )


async def _offered(request: Request, current: session.Visit) -> list[Candidate]:
    """Everything the account could show: monitors, certificates, domains, blocklist hosts
    (the first page of each)."""
    runtime = session.runtime_of(request)
    account = current.account.sid
    overview = await runtime.overview.overview(
        account, MonitorQuery(), PageRequest(1, OFFERED), with_tags=False
    )
    found = [Candidate(m.monitor.sid, m.monitor.name, m.monitor.kind) for m in overview.lines.items]
    certs = await runtime.certs.list_monitors(account, PageRequest(1, OFFERED))
    found += [Candidate(c.sid, c.name, "certificate") for c in certs.items]
    domains = await runtime.domains.list_domains(account, limit=OFFERED)
    found += [Candidate(d.sid, d.domain, "domain") for d in domains.domains]
    hosts, _ = await runtime.rbl.list_hosts(account, PageRequest(1, OFFERED))
    found += [Candidate(h.sid, h.name, "blocklist host") for h in hosts.items]
    return found


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
    except (ValidationError, ConflictError) as exc:
        return await _list(request, current, error=exc.message, status=exc.status)
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
    errors: dict[str, str] | None = None,
    notice_errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    typed: dict[str, Any] | None = None,
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
        chosen={c.sid: (i + 1, c.group) for i, c in enumerate(page.components)},
        monitors=_ordered(await _offered(request, current), page.components),
        notices=notices.items,
        visibilities=VISIBILITIES,
        incident_states=INCIDENT_STATES,
        maintenance_states=MAINTENANCE_STATES,
        errors=errors or {},
        error=(errors or {}).get(FORM_LEVEL) or (notice_errors or {}).get(FORM_LEVEL),
        notice_errors=notice_errors or {},
        values=values or {},
        typed=typed,
    )


def _ordered(candidates: list[Candidate], shown: Any) -> list[Candidate]:
    """The page's components first, in its order, then the rest."""
    place = {c.sid: i for i, c in enumerate(shown)}
    return sorted(candidates, key=lambda c: place.get(c.sid, len(place)))


@router.post("/status-pages/{token}")
async def update_page(request: Request, token: str) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).status_pages.update_page(
            current.account.sid, token, _fields(form)
        )
    except (ValidationError, ConflictError) as exc:
        errors = placed(exc, PAGE_FIELDS)
        typed = {k: v for k, v in form.items() if k != "access_key"}
        return await _editor(request, current, token, errors=errors, typed=typed, status=exc.status)
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
            starts_at=_moment(form, "starts_at"),
            ends_at=_moment(form, "ends_at"),
        )
    except ValidationError as exc:
        errors = placed(exc, NOTICE_FIELDS)
        return await _editor(
            request, current, token, notice_errors=errors, values=dict(form), status=400
        )
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
        return await _editor(request, current, token, errors={FORM_LEVEL: exc.message}, status=400)
    return RedirectResponse(f"/status-pages/{token}", status_code=303)


def _moment(form: FormData, name: str) -> datetime | None:
    """A time typed as ISO 8601 (`2026-12-24T22:00`, a browser's datetime-local field; UTC
    when it names no offset), or None when empty."""
    text = _text(form, name)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise ValidationError.field(
            name, "datetime", f"{name}: a date and time such as 2026-12-24T22:00"
        ) from None
