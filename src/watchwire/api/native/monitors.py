"""`/v1/monitors`: uptime monitors (CRUD, pause/resume) and their history (results,
metrics, downtimes; a heartbeat's pings). Scope `monitors`; read-only keys can read. The service answers typed
records (services/monitor_records.py); this face renders them in v1's shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.monitor_bodies import (
    CHANGE_SCHEMA,
    CREATE_SCHEMA,
    checked_change,
    checked_create,
)
from watchwire.api.native.params import page_request
from watchwire.api.native.render_monitors import (
    CheckJson,
    DowntimeJson,
    MetricsJson,
    MonitorJson,
    PingJson,
    check_json,
    downtime_json,
    metrics_json,
    monitor_json,
    ping_json,
)
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.monitor_records import (
    Monitor,
)

router = APIRouter(tags=["monitors"])
Caller = Annotated[Principal, Depends(require("monitors"))]
Paging = Annotated[PageRequest, Depends(page_request)]
TimeFrom = Annotated[
    str | None, Query(alias="from", description="Start: ISO 8601, Unix time, `-7d`, `2 days ago`")
]
TimeTo = Annotated[str | None, Query(alias="to", description="End (default: now)")]
Fields = Annotated[dict[str, Any], Body()]


@router.post(
    "/monitors",
    status_code=201,
    summary="Create a monitor",
    openapi_extra=CREATE_SCHEMA,
    response_model=MonitorJson,
)
async def create_monitor(request: Request, body: Fields, principal: Caller) -> JsonResponse:
    fields, published = checked_create(body)
    monitor = await runtime_of(request).monitors.create(
        principal.account_sid, fields, min_interval=principal.plan.min_interval_seconds
    )
    monitor = await _publishing(request, principal, monitor, published)
    return ok(request, monitor_json(request, monitor), status=201)


async def _publishing(
    request: Request, principal: Principal, monitor: Monitor, published: bool | None
) -> Monitor:
    """The monitor after its `published` flag is set as asked (None: left as it is)."""
    if published is None or published == (monitor.published_page is not None):
        return monitor
    runtime = runtime_of(request)
    await runtime.status_pages.set_published(principal.account_sid, monitor.sid, published)
    return await runtime.monitors.get(principal.account_sid, monitor.sid)


@router.get("/monitors", summary="List monitors", response_model=list[MonitorJson])
async def list_monitors(
    request: Request,
    principal: Caller,
    page: Paging,
    tag: Annotated[str | None, Query(description="Only monitors with this tag")] = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.list(principal.account_sid, page, tag=tag)
    return ok(request, [monitor_json(request, m) for m in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}", summary="One monitor with its current state", response_model=MonitorJson
)
async def get_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.get(principal.account_sid, sid)
    return ok(request, monitor_json(request, monitor))


@router.patch(
    "/monitors/{sid}",
    summary="Change a monitor (fields not given stay)",
    openapi_extra=CHANGE_SCHEMA,
    response_model=MonitorJson,
)
async def update_monitor(
    request: Request, sid: str, body: Fields, principal: Caller
) -> JsonResponse:
    fields, published = checked_change(body)
    monitor = await runtime_of(request).monitors.update(
        principal.account_sid, sid, fields, min_interval=principal.plan.min_interval_seconds
    )
    monitor = await _publishing(request, principal, monitor, published)
    return ok(request, monitor_json(request, monitor))


@router.delete(
    "/monitors/{sid}", summary="Delete a monitor and its history", response_model=MonitorJson
)
async def delete_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.delete(principal.account_sid, sid)
    return ok(request, monitor_json(request, monitor))


@router.post("/monitors/{sid}/pause", summary="Stop checking a monitor", response_model=MonitorJson)
async def pause_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.set_paused(principal.account_sid, sid, True)
    return ok(request, monitor_json(request, monitor))


@router.post(
    "/monitors/{sid}/resume",
    summary="Check a paused monitor again, starting now",
    response_model=MonitorJson,
)
async def resume_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.set_paused(principal.account_sid, sid, False)
    return ok(request, monitor_json(request, monitor))


@router.get(
    "/monitors/{sid}/results",
    summary="Raw check results, newest first",
    response_model=list[CheckJson],
)
async def monitor_results(
    request: Request,
    sid: str,
    principal: Caller,
    page: Paging,
    since: TimeFrom = None,
    until: TimeTo = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.results(
        principal.account_sid, sid, page, since=since, until=until
    )
    return ok(request, [check_json(c) for c in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}/metrics",
    summary="Uptime, Apdex and response times",
    response_model=MetricsJson,
)
async def monitor_metrics(
    request: Request,
    sid: str,
    principal: Caller,
    since: TimeFrom = None,
    until: TimeTo = None,
    group: Annotated[
        Literal["hour", "day", "location"] | None,
        Query(description="Also give one row per hour, day or location"),
    ] = None,
) -> JsonResponse:
    metrics = await runtime_of(request).monitors.metrics(
        principal.account_sid, sid, since=since, until=until, group=group
    )
    return ok(request, metrics_json(metrics))


@router.get(
    "/monitors/{sid}/downtimes",
    summary="Periods the monitor was down",
    response_model=list[DowntimeJson],
)
async def monitor_downtimes(
    request: Request,
    sid: str,
    principal: Caller,
    page: Paging,
    since: TimeFrom = None,
    until: TimeTo = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.downtimes(
        principal.account_sid, sid, page, since=since, until=until
    )
    return ok(request, [downtime_json(d) for d in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}/pings",
    summary="A heartbeat monitor's pings, newest first, with their bodies",
    response_model=list[PingJson],
)
async def monitor_pings(
    request: Request, sid: str, principal: Caller, page: Paging
) -> JsonResponse:
    result = await runtime_of(request).heartbeats.pings(principal.account_sid, sid, page)
    return ok(request, [ping_json(p) for p in result.items], pagination=result.meta())
