"""`/v1/account`: the calling account, its plan and its request usage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from typing_extensions import TypedDict

from watchwire.api.auth import require
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.openapi import answer
from watchwire.services.accounts import Account, Principal

router = APIRouter(tags=["account"])


@answer
class UsageJson(TypedDict):
    requests_this_minute: int
    requests_today: int
    limit_per_minute: int
    limit_per_day: int


@answer
class CallingKeyJson(TypedDict):
    sid: str
    scopes: list[str]
    read_only: bool


@answer
class AccountUsageJson(render.AccountJson):
    usage: UsageJson
    key: CallingKeyJson


@router.get(
    "/account",
    summary="The account of the calling key, with usage",
    response_model=AccountUsageJson,
)
async def get_account(
    request: Request, principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    # Everything shown comes with the principal: no second query on this hot path.
    shown = render.account(
        Account(
            principal.account_sid,
            principal.account_name,
            principal.plan,
            principal.account_created_at,
        )
    )
    # The budget as the auth dependency left it, this request included.
    minute, day = request.state.budget.windows
    usage = UsageJson(
        requests_this_minute=minute.limit - minute.remaining,
        requests_today=day.limit - day.remaining,
        limit_per_minute=minute.limit,
        limit_per_day=day.limit,
    )
    key = CallingKeyJson(
        sid=principal.key_sid, scopes=sorted(principal.scopes), read_only=principal.read_only
    )
    return ok(request, AccountUsageJson(**shown, usage=usage, key=key))
