"""001's credentials: the key as `?api-key=` or in the `X-API-KEY` header (any case; also
every other way watchwire reads a key). Then, as every face: the key's IP allowlist (403),
the account's plan budget (429; 001 defines no limits of its own), the resource's scope and
read-only keys, which "only work with GET endpoints" (403)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from watchwire.api.auth import READ_METHODS, authenticate, runtime_of
from watchwire.errors import ForbiddenError
from watchwire.ratelimit import minute_and_day
from watchwire.services.accounts import Principal

READ_ONLY = "This API key is read-only: only GET requests are allowed"


def require_scope(principal: Principal, scope: str) -> None:
    if not principal.has_scope(scope):
        raise ForbiddenError(f"This API key does not have the '{scope}' scope")


def caller(scope: str | None) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting a request to endpoints of `scope` (None: checked by the route,
    for the recipients that span two scopes)."""

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        plan = principal.plan
        budget = minute_and_day(plan.requests_per_minute, plan.requests_per_day)
        state = await runtime_of(request).limiter.hit(principal.account_sid, budget)
        request.state.ratelimit_headers = state.headers()
        if principal.read_only and request.method not in READ_METHODS:
            raise ForbiddenError(READ_ONLY)
        if scope is not None:
            require_scope(principal, scope)
        return principal

    return dependency


Monitors = Annotated[Principal, Depends(caller("monitors"))]
Webhooks = Annotated[Principal, Depends(caller("webhook"))]
Anyone = Annotated[Principal, Depends(caller(None))]
