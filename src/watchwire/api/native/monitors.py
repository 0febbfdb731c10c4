"""`/v1/monitors`: uptime monitors (CRUD, pause/resume) and their history (results,
metrics, downtimes). Scope `monitors`; read-only keys can read."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal

router = APIRouter(tags=["monitors"])
Caller = Annotated[Principal, Depends(require("monitors"))]
Paging = Annotated[PageRequest, Depends(page_request)]
TimeFrom = Annotated[
    str | None, Query(alias="from", description="Start: ISO 8601, Unix time, `-7d`, `2 days ago`")
]
TimeTo = Annotated[str | None, Query(alias="to", description="End (default: now)")]
MonitorBody = Annotated[
    dict[str, Any],
    Body(
        examples=[
            {
                "kind": "http",
                "target": "https://example.com/health",
                "name": "Example",
                "interval": 60,
                "options": {"expected_status": ["200"], "keyword": "ok"},
            }
        ]
    ),
]


@router.post("/monitors", status_code=201, summary="Create a monitor")
async def create_monitor(request: Request, body: MonitorBody, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.create(
        principal.account_sid, body, min_interval=principal.plan.min_interval_seconds
    )
    return ok(request, monitor, status=201)


@router.get("/monitors", summary="List monitors")
async def list_monitors(
    request: Request,
    principal: Caller,
    page: Paging,
    tag: Annotated[str | None, Query(description="Only monitors with this tag")] = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.list(principal.account_sid, page, tag=tag)
    return ok(request, result.items, pagination=result.meta())


@router.get("/monitors/{sid}", summary="One monitor with its current state")
async def get_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    return ok(request, await runtime_of(request).monitors.get(principal.account_sid, sid))


@router.patch("/monitors/{sid}", summary="Change a monitor (fields not given stay)")
async def update_monitor(
    request: Request, sid: str, body: MonitorBody, principal: Caller
) -> JsonResponse:
    monitor = await runtime_of(request).monitors.update(
        principal.account_sid, sid, body, min_interval=principal.plan.min_interval_seconds
    )
    return ok(request, monitor)


@router.delete("/monitors/{sid}", summary="Delete a monitor and its history")
async def delete_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    return ok(request, await runtime_of(request).monitors.delete(principal.account_sid, sid))


@router.post("/monitors/{sid}/pause", summary="Stop checking a monitor")
async def pause_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    return ok(
        request, await runtime_of(request).monitors.set_paused(principal.account_sid, sid, True)
    )


@router.post("/monitors/{sid}/resume", summary="Check a paused monitor again, starting now")
async def resume_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    return ok(
        request, await runtime_of(request).monitors.set_paused(principal.account_sid, sid, False)
    )


@router.get("/monitors/{sid}/results", summary="Raw check results, newest first")
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
    return ok(request, result.items, pagination=result.meta())


@router.get("/monitors/{sid}/metrics", summary="Uptime, Apdex and response times")
async def monitor_metrics(
    request: Request,
    sid: str,
    principal: Caller,
    since: TimeFrom = None,
    until: TimeTo = None,
    group: Annotated[
        Literal["hour", "day"] | None, Query(description="Also give one row per hour or day")
    ] = None,
) -> JsonResponse:
    metrics = await runtime_of(request).monitors.metrics(
        principal.account_sid, sid, since=since, until=until, group=group
    )
    return ok(request, metrics)


@router.get("/monitors/{sid}/downtimes", summary="Periods the monitor was down")
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
    return ok(request, result.items, pagination=result.meta())
