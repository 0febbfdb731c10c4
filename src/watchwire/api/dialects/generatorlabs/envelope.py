"""003's envelope: `{status_code, status_message, data, …}` with the HTTP status equal to
`status_code`, and the one place that maps watchwire's errors onto it.

One deliberate difference from 003: validation failures answer 400, not 500 — clients treat
both as errors, and a 5xx makes SDKs retry a request that can never succeed. Nothing else
answers 5xx except a bug.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from watchwire.api.envelope import JsonResponse
from watchwire.api.errors import validation_details
from watchwire.api.ratelimit import RateLimitExceeded
from watchwire.errors import (
    AuthError,
    ForbiddenError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
    WatchwireError,
)

log = logging.getLogger(__name__)

_NO_DATA = object()
# Native field names the services use, as 003 spells them.
_FIELD_NAMES = {"contact_groups": "contact_group"}
_NATIVE_NAME = re.compile(r"\b(" + "|".join(_FIELD_NAMES) + r")\b")


def success(message: str, data: Any = _NO_DATA, **fields: Any) -> JsonResponse:
    """A 200 with 003's message; `fields` go between the message and `data` (paging)."""
    body: dict[str, Any] = {"status_code": 200, "status_message": message, **fields}
    if data is not _NO_DATA:
        body["data"] = data
    return JsonResponse(body)


def failure(
    status: int,
    message: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"status_code": status, "status_message": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status_code=status, headers=headers)


def in_003s_names(details: list[dict[str, str]]) -> list[dict[str, str]]:
    """Service error details with the native field names replaced by 003's."""
    return [
        {key: _NATIVE_NAME.sub(lambda m: _FIELD_NAMES[m[1]], value) for key, value in d.items()}
        for d in details
    ]


def validation_message(details: list[dict[str, str]]) -> str:
    """One line naming each field and the rule it broke."""
    parts = []
    for detail in details:
        field, message = detail["field"], detail["message"]
        named = message if message.startswith(field) else f"{field}: {message}"
        parts.append(f"{named} (rule: {detail['rule']})")
    return "; ".join(parts)


def _status_message(exc: WatchwireError) -> str:
    if isinstance(exc, ValidationError) and isinstance(exc.details, list) and exc.details:
        return validation_message(in_003s_names(exc.details))
    if isinstance(exc, AuthError):
        return f"Authentication failed: {exc.message}"
    if isinstance(exc, RateLimitedError):
        return f"Rate limit exceeded: {exc.message}"
    return exc.message


def error_response(exc: WatchwireError) -> JsonResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitExceeded):
        headers.update(exc.state.headers())
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = 'Basic realm="watchwire"'
    errors = None
    if isinstance(exc, ValidationError) and isinstance(exc.details, list):
        errors = in_003s_names(exc.details)
    status = exc.status if 400 <= exc.status < 500 or isinstance(exc, UnavailableError) else 400
    if isinstance(exc, ForbiddenError) and exc.code == "ip_restricted":
        status = 403
    return failure(status, _status_message(exc), errors, headers)


def install(app: FastAPI) -> None:
    """The dialect's exception handlers, on its own (mounted) application."""

    @app.exception_handler(WatchwireError)
    async def _watchwire(request: Request, exc: WatchwireError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = validation_details(list(exc.errors()))
        return failure(400, validation_message(details) or "Invalid request", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "Resource not found.", 405: "HTTP method not allowed."}.get(
            exc.status_code, str(exc.detail)
        )
        return failure(exc.status_code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A 5xx is a bug: log it with the request id so it can be found and fixed.
        log.exception("unhandled error (request_id=%s)", getattr(request.state, "request_id", ""))
        return failure(500, "Internal server error.")
