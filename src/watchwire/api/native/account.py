"""`/v1/account`: the calling account, its plan and its request usage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.ratelimit import minute_and_day
from watchwire.services.accounts import Principal

router = APIRouter(tags=["account"])


@router.get("/account", summary="The account of the calling key, with usage")
async def get_account(
    request: Request, principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    runtime = runtime_of(request)
    account = await runtime.accounts.get_account(principal.account_sid)
    plan = principal.plan
    minute, day = (
        await runtime.limiter.state(
            principal.account_sid, minute_and_day(plan.requests_per_minute, plan.requests_per_day)
        )
    ).windows
    account["usage"] = {
        "requests_this_minute": minute.limit - minute.remaining,
        "requests_today": day.limit - day.remaining,
        "limit_per_minute": minute.limit,
        "limit_per_day": day.limit,
    }
    account["key"] = {
        "sid": principal.key_sid,
        "scopes": sorted(principal.scopes),
        "read_only": principal.read_only,
    }
    return ok(request, account)
