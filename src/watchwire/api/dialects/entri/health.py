"""`/monitor/health` and `/monitor/status`, which exist in 002's API without a public shape
(GAPS.md). Health: the service and its database answer, for the caller's credentials.
Status: the caller's monitored domains at a glance."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.entri import render
from watchwire.api.dialects.entri.auth import Caller
from watchwire.api.envelope import JsonResponse
from watchwire.clock import isoformat

router = APIRouter(tags=["health"])


@router.get("/monitor/health")
async def health(request: Request, principal: Caller) -> JsonResponse:
    runtime = runtime_of(request)
    now = isoformat(runtime.clock.now())
    if await runtime.db.ping():
        return JsonResponse({"status": "ok", "database": "ok", "time": now})
    body = {"status": "unavailable", "database": "unreachable", "time": now}
    return JsonResponse(body, status_code=503)


@router.get("/monitor/status")
async def status(request: Request, principal: Caller) -> JsonResponse:
    summary = await runtime_of(request).domains.summary(principal.account_sid)
    return JsonResponse(render.summary(summary))
