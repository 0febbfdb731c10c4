"""002's credentials on every request but `POST /token`: the `applicationId` header (an API
key's SID) and `Authorization: Bearer <token>` (the token `POST /token` gave for that key;
`Bearer` may be left out). Then, as every face: the key's IP allowlist (403), the account's
plan budget (429; 002 defines no limits of its own), the `domains` scope and read-only keys
(403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from watchwire.api.auth import READ_METHODS, runtime_of
from watchwire.errors import AuthError, ForbiddenError
from watchwire.ratelimit import minute_and_day
from watchwire.services.accounts import Principal

SCOPE = "domains"
# A token is a few hundred characters; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 4096


def presented_token(authorization: str) -> str:
    """The token of an Authorization header, with or without the `Bearer` scheme."""
    value = authorization.strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


async def charge(request: Request, principal: Principal) -> None:
    """Count the request against the account's plan budget (429 when spent)."""
    plan = principal.plan
    budget = minute_and_day(plan.requests_per_minute, plan.requests_per_day)
    state = await runtime_of(request).limiter.hit(principal.account_sid, budget)
    request.state.ratelimit_headers = state.headers()


async def caller(request: Request) -> Principal:
    application_id = request.headers.get("applicationid", "").strip()
    if not application_id:
        raise AuthError("The applicationId header is required", code="auth_required")
    authorization = request.headers.get("authorization", "")
    token = presented_token(authorization)
    if not token:
        raise AuthError(
            "The Authorization header is required: Bearer <auth_token from POST /token>",
            code="auth_required",
        )
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthError("The token is not a valid access token", code="invalid_token")
    principal = await runtime_of(request).tokens.verify(application_id, token)
    client = request.client.host if request.client else None
    if not principal.allows_ip(client):
        raise ForbiddenError(
            f"IP address restriction: {client} is not allowed to use this key",
            code="ip_restricted",
        )
    await charge(request, principal)
    if not principal.has_scope(SCOPE):
        raise ForbiddenError(f"This API key does not have the '{SCOPE}' scope")
    if principal.read_only and request.method not in READ_METHODS:
        raise ForbiddenError("This API key is read-only: only GET requests are allowed")
    return principal


Caller = Annotated[Principal, Depends(caller)]
