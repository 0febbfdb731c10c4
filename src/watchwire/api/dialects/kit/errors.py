"""Error mapping for a dialect app: every exception becomes one `Problem`, and the dialect's
own `render` turns the problem into its document's error envelope.

    WatchwireError            its status, code, message, details (field names renamed into
                              the dialect's) and headers (rate-limit state, Retry-After)
    RequestValidationError    400 missing_parameter, one detail per broken rule
    HTTPException             its status (404 not_found, 405 method_not_allowed, …)
    any other exception       500 internal_error, logged with the request id

The last is caught inside the dialect app, so the 500 goes out in the dialect's envelope and
the exception goes no further: the server does not drop the client's connection for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchwire.api.errors import validation_details
from watchwire.errors import RateLimitedError, ValidationError, WatchwireError
from watchwire.ratelimit import RateLimitExceeded

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "missing_parameter",
    401: "auth_required",
    403: "insufficient_scope",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limit_exceeded",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed request, before any envelope: what every dialect's `render` receives.

    `details` are {field, rule, message} in the dialect's field names; `cause` is the
    exception, for a dialect whose wording depends on its kind."""

    status: int
    code: str
    message: str
    details: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cause: Exception | None = None


Render = Callable[[Problem], Response]


def renamer(field_names: Mapping[str, str]) -> Callable[[str], str]:
    """A function replacing the services' field names (as whole words) by the dialect's."""
    if not field_names:
        return lambda text: text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, field_names)) + r")\b")
    return lambda text: pattern.sub(lambda m: field_names[m[1]], text)


def problem_of(exc: WatchwireError, rename: Callable[[str], str] = lambda t: t) -> Problem:
    """The problem an error describes; a validation error's field names pass `rename`."""
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitExceeded):
        headers.update(exc.state.headers())
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if not isinstance(exc, ValidationError):
        return Problem(exc.status, exc.code, exc.message, [], headers, exc)
    listed = exc.details if isinstance(exc.details, list) else []
    details = [{key: rename(str(value)) for key, value in d.items()} for d in listed]
    return Problem(exc.status, exc.code, rename(exc.message), details, headers, exc)


class _CatchUnexpected:
    """Turns an exception no handler took into the dialect's 500 (when nothing was sent
    yet) instead of letting it travel up to the server."""

    def __init__(self, app: ASGIApp, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if scope["type"] != "http" or started:
                raise
            # A 5xx is a bug: log it with the request id so it can be found and fixed.
            request_id = getattr(Request(scope).state, "request_id", "")
            log.exception("unhandled error (request_id=%s)", request_id)
            problem = Problem(500, "internal_error", "Internal server error.", cause=exc)
            await self.render(problem)(scope, receive, send)


def install(app: FastAPI, render: Render, field_names: Mapping[str, str] | None = None) -> None:
    """Route every error of the dialect `app` through `render`; `field_names` maps the
    services' field names to the dialect's (`contact_groups` → `contact_group`)."""
    rename = renamer(field_names or {})

    @app.exception_handler(WatchwireError)
    async def _watchwire(request: Request, exc: WatchwireError) -> Response:
        return render(problem_of(exc, rename))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = validation_details(list(exc.errors()))
        message = "; ".join(d["message"] for d in details) or "Invalid request"
        return render(Problem(400, "missing_parameter", message, details, cause=exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers or {})
        return render(Problem(exc.status_code, code, str(exc.detail), [], headers, exc))

    app.add_middleware(_CatchUnexpected, render=render)
