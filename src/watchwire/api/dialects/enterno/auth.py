"""000's credentials and limits as one FastAPI dependency per scope.

The key comes as `X-API-Key` (000), the `api_key` query parameter or an `api_key` field of a
form or JSON body (GAPS.md); the native spellings (`Authorization: Bearer`, `?api-key=`)
work too. Then, in the native order: the key is valid (401 `auth_required` when none is
sent, `invalid_api_key` otherwise), the caller's address is in its allowlist (403), the
account's plan budget has room (429 `rate_limit_exceeded` per minute, `daily_limit_exceeded`
per day: 000's plans, counted per account as 000 says of plans, and shared with the native
API since they are one account's requests), the key and plan have the scope (403
`insufficient_scope`) and a read-only key only reads (403).

The parameters are read once (`fields_of`): the body a dependency reads is gone for the
route otherwise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from watchwire.api import credentials
from watchwire.api.auth import READ_METHODS, authenticate, runtime_of
from watchwire.api.dialects.kit.bodies import body_fields, read_fields
from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.keys import key_in_fields
from watchwire.errors import ForbiddenError, WatchwireError
from watchwire.ratelimit import minute_and_day
from watchwire.services.accounts import Principal

_FIELDS = "enterno_fields"


async def fields_of(request: Request) -> Fields:
    """The request's query and body parameters, read once per request."""
    fields: Fields | None = getattr(request.state, _FIELDS, None)
    if fields is None:
        fields = await read_fields(request)
        setattr(request.state, _FIELDS, fields)
    return fields


def key_in_body(body: bytes, content_type: str) -> tuple[str, str] | None:
    """The key an `api_key` field of a form or JSON body carries (None: none, or a body
    the kit cannot read), for the idempotency middleware, which sees requests before the
    dialect does."""
    if not body.strip():
        return None
    try:
        return key_in_fields(Fields(body_fields(body, content_type)))
    except WatchwireError:
        return None


async def _principal(request: Request, fields: Fields) -> Principal:
    if credentials.extract(request.headers, request.query_params) is None:
        presented = key_in_fields(fields)
        if presented is not None:
            principal = await runtime_of(request).accounts.authenticate(*presented)
            client = request.client.host if request.client else None
            if not principal.allows_ip(client):
                raise ForbiddenError(
                    f"IP address restriction: {client} is not allowed to use this key",
                    code="ip_restricted",
                )
            return principal
    return await authenticate(request)  # 401 auth_required when nothing was presented


async def admit(request: Request, scope: str, *, writes: bool | None = None) -> Principal:
    """The caller of a request to an endpoint of `scope`. `writes` says whether the request
    changes something (default: any method but GET/HEAD/OPTIONS), for read-only keys."""
    principal = await _principal(request, await fields_of(request))
    plan = principal.plan
    budget = minute_and_day(plan.requests_per_minute, plan.requests_per_day)
    state = await runtime_of(request).limiter.hit(principal.account_sid, budget)
    request.state.ratelimit_headers = state.headers()
    if not principal.has_scope(scope):
        raise ForbiddenError(f"This API key does not have the '{scope}' scope")
    writing = request.method not in READ_METHODS if writes is None else writes
    if principal.read_only and writing:
        raise ForbiddenError("This API key is read-only: it may not change anything")
    request.state.principal = principal
    return principal


def caller(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting a request to an endpoint of `scope`."""

    async def dependency(request: Request) -> Principal:
        return await admit(request, scope)

    return dependency
