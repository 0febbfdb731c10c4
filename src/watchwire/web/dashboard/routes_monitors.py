"""The monitor pages: the list (filters, search, live rows by htmx polling), one monitor's
page (state history, response times, uptime by day, downtimes, last results, pings), the
create and edit forms, and pause, resume, check now and delete.

Every page reads the monitor service through the runtime; every form posts through
`session.posted` (CSRF, role)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.engine.kinds import KINDS, get_kind
from watchwire.errors import ValidationError
from watchwire.pagination import PageRequest
from watchwire.services.monitor_overview import STATES, MonitorQuery
from watchwire.services.status_pages.view import ResponsePoint
from watchwire.web.dashboard import monitor_form, session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

PER_PAGE = 50
# What the mute menu offers (any time the API takes works there too).
MUTE_CHOICES = {
    "+1h": "for an hour",
    "+8h": "for 8 hours",
    "+1d": "for a day",
    "recovery": "until it is up again",
    "forever": "until unmuted",
}
POLL_SECONDS = 5
Text = Annotated[str | None, Query(max_length=200)]


def _query(kind: str | None, state: str | None, tag: str | None, q: str | None) -> MonitorQuery:
    return MonitorQuery(kind=kind or None, state=state or None, tag=tag or None, search=q or None)


def _filters(query: MonitorQuery) -> str:
    parts = {"kind": query.kind, "state": query.state, "tag": query.tag, "q": query.search}
    return urlencode({k: v for k, v in parts.items() if v})


router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


async def listing(
    request: Request, query: MonitorQuery, page: int, *, with_tags: bool = True
) -> dict[str, Any]:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    overview = await runtime.overview.overview(
        current.account.sid, query, PageRequest(page, PER_PAGE), with_tags=with_tags
    )
    return {
        "visit": current,
        "section": "/monitors",
        "overview": overview,
        "query": query,
        "filters": _filters(query),
        "kinds": tuple(KINDS),
        "states": STATES,
        "now": runtime.clock.now(),
        "poll": POLL_SECONDS,
    }


@router.get("/monitors")
async def monitors_page(
    request: Request,
    kind: Text = None,
    state: Text = None,
    tag: Text = None,
    q: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    context = await listing(request, _query(kind, state, tag, q), page)
    return render("monitors.html", **context)


@router.get("/monitors/rows")
async def monitor_rows(
    request: Request,
    kind: Text = None,
    state: Text = None,
    tag: Text = None,
    q: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The list's live part, fetched again by htmx every few seconds."""
    context = await listing(request, _query(kind, state, tag, q), page, with_tags=False)
    return render("monitor_rows.html", **context)


@router.get("/monitors/new")
async def new_monitor(request: Request, kind: Text = None) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot add monitors.")
    if kind not in KINDS:
        return render("monitor_kinds.html", visit=current, section="/monitors", kinds=tuple(KINDS))
    return _form_page(current, kind, None, monitor_form.values_of(kind, None), {})


@router.post("/monitors/new")
async def create_monitor(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    kind = str(form.get("kind") or "")
    if kind not in KINDS:
        raise ValidationError.field("kind", "enum", "Choose a kind of monitor")
    runtime = session.runtime_of(request)
    try:
        raw = monitor_form.raw_fields(kind, form)
        raw["kind"] = kind
        made = await runtime.monitors.create(
            current.account.sid,
            raw,
            min_interval=current.account.plan.min_interval_seconds,
        )
    except ValidationError as exc:
        errors = monitor_form.errors_by_field(kind, exc)
        return _form_page(current, kind, None, dict(form), errors, status=400)
    return RedirectResponse(f"/monitors/{made.sid}?made=1", status_code=303)


@router.get("/monitors/{sid}")
async def monitor_page(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    account = current.account.sid
    monitor = await runtime.monitors.get(account, sid)
    now = runtime.clock.now()
    hourly = await runtime.monitors.metrics(account, sid, since="-24h", group="hour")
    daily = await runtime.monitors.metrics(account, sid, since="-30d", group="day")
    downtimes = await runtime.monitors.downtimes(account, sid, PageRequest(1, 10))
    results = await runtime.monitors.results(account, sid, PageRequest(1, 20))
    recent = await runtime.monitors.results(account, sid, PageRequest(1, 100), since="-24h")
    events = await runtime.events.list(account, PageRequest(1, 20), resource_sid=sid)
    heartbeat = get_kind(monitor.kind).read_row is not None
    pings = (
        (await runtime.heartbeats.pings(account, sid, PageRequest(1, 10))).items
        if heartbeat
        else []
    )
    points = tuple(
        ResponsePoint(at=check.checked_at, ms=check.response_ms)
        for check in recent.items
        if check.response_ms is not None
    )
    base = str(request.base_url).rstrip("/")
    return render(
        "monitor.html",
        visit=current,
        section="/monitors",
        monitor=monitor,
        now=now,
        hourly=hourly,
        daily=daily,
        points=points,
        downtimes=downtimes.items,
        results=results.items,
        events=events.items,
        pings=pings,
        heartbeat=heartbeat,
        ping_url=f"{base}/pulse/{monitor.ping_token}" if monitor.ping_token else None,
        made="made" in request.query_params,
        mute_choices=MUTE_CHOICES,
        day=timedelta(days=1),
    )


@router.get("/monitors/{sid}/edit")
async def edit_monitor(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change monitors.")
    monitor = await session.runtime_of(request).monitors.get(current.account.sid, sid)
    values = monitor_form.values_of(monitor.kind, monitor)
    return _form_page(current, monitor.kind, monitor.sid, values, {})


@router.post("/monitors/{sid}/edit")
async def update_monitor(request: Request, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    runtime = session.runtime_of(request)
    monitor = await runtime.monitors.get(current.account.sid, sid)
    try:
        raw = monitor_form.raw_fields(monitor.kind, form)
        await runtime.monitors.update(
            current.account.sid,
            sid,
            raw,
            min_interval=current.account.plan.min_interval_seconds,
        )
    except ValidationError as exc:
        errors = monitor_form.errors_by_field(monitor.kind, exc)
        return _form_page(current, monitor.kind, sid, dict(form), errors, status=400)
    return RedirectResponse(f"/monitors/{sid}", status_code=303)


@router.post("/monitors/{sid}/{action}")
async def act(request: Request, sid: str, action: str) -> Response:
    """pause, resume, check (now), mute (the form's `mute_until`; empty: unmute) or
    delete."""
    current, form = await session.posted(request, "edit")
    service = session.runtime_of(request).monitors
    account = current.account.sid
    if action == "pause":
        await service.set_paused(account, sid, True)
    elif action == "resume":
        await service.set_paused(account, sid, False)
    elif action == "check":
        await service.check_now(account, sid)
    elif action == "mute":
        until = str(form.get("mute_until") or "") or None
        if until is not None and until not in MUTE_CHOICES:
            raise ValidationError.field("mute_until", "enum", "mute_until: choose a listed time")
        await service.update(
            account,
            sid,
            {"mute_until": until},
            min_interval=current.account.plan.min_interval_seconds,
        )
    elif action == "delete":
        await service.delete(account, sid)
        return RedirectResponse("/monitors", status_code=303)
    else:
        raise ValidationError.field("action", "enum", f"no such action: {action}")
    return RedirectResponse(f"/monitors/{sid}", status_code=303)


def _form_page(
    current: session.Visit,
    kind: str,
    sid: str | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        "monitor_form.html",
        status,
        visit=current,
        section="/monitors",
        kind=kind,
        sid=sid,
        fields=monitor_form.fields_for(kind),
        values=values,
        errors=errors,
        form_level=errors.get(monitor_form.FORM_LEVEL),
    )
