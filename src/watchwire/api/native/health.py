"""Liveness and readiness, unauthenticated, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", summary="The database answers")
async def readyz(request: Request) -> JsonResponse:
    if await runtime_of(request).db.ping():
        return JsonResponse({"status": "ready", "database": "ok"})
    return JsonResponse({"status": "not ready", "database": "unreachable"}, status_code=503)
