"""HTTP Basic `account_sid:auth_token` (an API key's SID and secret) and 003's rate limits,
as one FastAPI dependency.

Order of checks: credentials present and valid (401), the caller's address in the key's
allowlist (403 "IP address restriction"), the key's budget (429), the key's scope and
read-only flag (403). 003's budget is per API application — here per key —: 1,000 requests
an hour, and per second 100 reads, 50 writes or 20 manual checks. The hourly window is shared
by every kind of request; each per-second window counts its own kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum

from limits import RateLimitItemPerHour, RateLimitItemPerSecond
from starlette.requests import Request

from watchwire.api.auth import READ_METHODS, authenticate, runtime_of
from watchwire.errors import ForbiddenError
from watchwire.ratelimit import Window
from watchwire.services.accounts import Principal

HOURLY_LIMIT = 1000


class Kind(Enum):
    """The per-second class of an endpoint, with its limit."""

    READ = 100
    WRITE = 50
    CHECK = 20


_HOURLY = Window(RateLimitItemPerHour(HOURLY_LIMIT), "rate_limit_exceeded", "1,000 per hour")


def windows(kind: Kind) -> tuple[Window, ...]:
    """003's two active policies for a kind of request: `1000;w=3600, N;w=1`."""
    return (
        _HOURLY,
        Window(
            RateLimitItemPerSecond(kind.value),
            "rate_limit_exceeded",
            f"{kind.value} {kind.name.lower()} requests per second",
        ),
    )


_WINDOWS = {kind: windows(kind) for kind in Kind}


def budget_identity(principal: Principal) -> str:
    return f"generatorlabs:{principal.key_sid}"


def caller(scope: str, kind: Kind | None = None) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting a request to an endpoint of `scope`; `kind` None: read for GET,
    write otherwise."""

    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        spent = kind or (Kind.READ if request.method in READ_METHODS else Kind.WRITE)
        limiter = runtime_of(request).limiter
        state = await limiter.hit(budget_identity(principal), _WINDOWS[spent])
        request.state.ratelimit_headers = state.headers()
        if not principal.has_scope(scope):
            raise ForbiddenError(f"This API key does not have the '{scope}' scope")
        if principal.read_only and request.method not in READ_METHODS:
            raise ForbiddenError("This API key is read-only: only GET requests are allowed")
        return principal

    return dependency
