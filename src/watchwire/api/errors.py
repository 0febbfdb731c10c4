"""The one place that turns exceptions into the native API's error envelope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from watchwire import errors as watchwire_errors
from watchwire.api.envelope import error
from watchwire.errors import RateLimitedError, WatchwireError
from watchwire.ratelimit import RateLimitExceeded

_HTTP_CODES = {
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

# The request part a location starts with: not part of the field's name.
_REQUEST_PARTS = ("body", "query", "path", "header")


def validation_details(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """A request's validation errors as {field, rule, message}, for every face's envelope."""
    return watchwire_errors.validation_details(errors, skip=_REQUEST_PARTS)


def install(app: FastAPI) -> None:
    @app.exception_handler(WatchwireError)
    async def _watchwire(request: Request, exc: WatchwireError) -> Response:
        headers: dict[str, str] = {}
        if isinstance(exc, RateLimitExceeded):
            headers.update(exc.state.headers())
        if isinstance(exc, RateLimitedError):
            headers["Retry-After"] = str(exc.retry_after)
        return error(request, exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = validation_details(exc.errors())
        message = "; ".join(d["message"] for d in details) or "Invalid request"
        return error(request, 400, "missing_parameter", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = {404: "Resource not found", 405: "HTTP method not allowed"}.get(
            exc.status_code, str(exc.detail)
        )
        return error(request, exc.status_code, code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Reached only by a failure outside InternalErrorMiddleware; the server logs it.
        return internal_error(request)


def internal_error(request: Request) -> Response:
    """The native 500 (a 5xx is a bug: it is logged, with the request id, where it is caught)."""
    return error(request, 500, "internal_error", "Internal server error")
