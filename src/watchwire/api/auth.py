"""Authentication and authorisation for the native API, as a FastAPI dependency.

Order of checks: a credential is present (401 auth_required) and valid (401
invalid_api_key); the caller's address is in the key's allowlist (403); the account's
request budget has room (429, counted per account so more keys do not mean more budget);
the key has the scope (403 insufficient_scope); a read-only key only reads (403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from watchwire.api import credentials
from watchwire.errors import AuthError, ForbiddenError
from watchwire.ratelimit import minute_and_day
from watchwire.runtime import Runtime
from watchwire.services.accounts import Principal

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# The ASGI scope extension an in-process caller (the CLI on the local database) puts the
# operator's principal under. Only the code that builds the scope can set it: no server
# copies anything a client sends into `extensions`.
OPERATOR_EXTENSION = "watchwire.operator"


async def authenticate(request: Request) -> Principal:
    """The principal of a request, with the IP allowlist applied; no budget is charged."""
    operator = (request.scope.get("extensions") or {}).get(OPERATOR_EXTENSION)
    if isinstance(operator, Principal):
        return operator
    presented = credentials.extract(request.headers, request.query_params)
    if presented is None:
        raise AuthError("Missing API key", code="auth_required")
    principal = await runtime_of(request).accounts.authenticate(*presented)
    client = request.client.host if request.client else None
    if not principal.allows_ip(client):
        raise ForbiddenError(
            f"IP address restriction: {client} is not allowed to use this key",
            code="ip_restricted",
        )
    return principal


async def page_owner(request: Request) -> str | None:
    """The account of a valid key the request presents, for the status pages' owner view (a
    private page, a protected one without its access key); None for anyone else. No budget
    is charged: visitors' pages are cached, not rate-limited per account."""
    try:
        if credentials.extract(request.headers, request.query_params) is None:
            return None
        return (await authenticate(request)).account_sid
    except (AuthError, ForbiddenError):
        return None


def require(scope: str | None = None) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits the request for `scope` (None: any valid key)."""

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        budget = minute_and_day(principal.plan.requests_per_minute, principal.plan.requests_per_day)
        state = await runtime_of(request).limiter.hit(principal.account_sid, budget)
        request.state.budget = state
        request.state.ratelimit_headers = state.headers()
        if scope is not None and not principal.has_scope(scope):
            raise ForbiddenError(f"This API key does not have the '{scope}' scope")
        if principal.read_only and request.method not in READ_METHODS:
            raise ForbiddenError("This API key is read-only: only GET requests are allowed")
        request.state.principal = principal
        return principal

    return dependency
