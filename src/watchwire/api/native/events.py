"""`/v1/events`: what happened to the account's resources, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal

router = APIRouter(tags=["events"])


@router.get(
    "/events",
    summary="List events (filters: type, monitor, time range)",
    response_model=list[render.EventJson],
)
async def list_events(
    request: Request,
    principal: Annotated[Principal, Depends(require())],
    page: Annotated[PageRequest, Depends(page_request)],
    type: Annotated[
        list[str] | None, Query(description="Event type; repeat for several (monitor.down …)")
    ] = None,
    monitor: Annotated[str | None, Query(description="Only events of this monitor (MO…)")] = None,
    resource: Annotated[str | None, Query(description="Only events of this resource SID")] = None,
    since: Annotated[str | None, Query(alias="from", description="Start (any time format)")] = None,
    until: Annotated[str | None, Query(alias="to", description="End (default: now)")] = None,
) -> JsonResponse:
    result = await runtime_of(request).events.list(
        principal.account_sid,
        page,
        types=type,
        resource_sid=monitor or resource,
        since=since,
        until=until,
    )
    return ok(request, [render.event(e) for e in result.items], pagination=result.meta())
