"""003's envelope: `{status_code, status_message, data, …}` with the HTTP status equal to
`status_code`, and 003's wording of every error the kit maps.

One deliberate difference from 003: validation failures answer 400, not 500 — clients treat
both as errors, and a 5xx makes SDKs retry a request that can never succeed. Nothing else
answers 5xx except a bug.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchwire.api.dialects.kit import errors
from watchwire.api.dialects.kit.errors import Problem
from watchwire.api.envelope import JsonResponse
from watchwire.errors import (
    AuthError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
    WatchwireError,
)

_NO_DATA = object()
# Native field names the services use, as 003 spells them.
FIELD_NAMES = {"contact_groups": "contact_group"}
_HTTP_MESSAGES = {404: "Resource not found.", 405: "HTTP method not allowed."}


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


def validation_message(details: list[dict[str, str]]) -> str:
    """One line naming each field and the rule it broke."""
    parts = []
    for detail in details:
        field, message = detail["field"], detail["message"]
        named = message if message.startswith(field) else f"{field}: {message}"
        parts.append(f"{named} (rule: {detail['rule']})")
    return "; ".join(parts)


def _status_message(problem: Problem) -> str:
    cause = problem.cause
    if isinstance(cause, StarletteHTTPException):
        return _HTTP_MESSAGES.get(problem.status, problem.message)
    if isinstance(cause, ValidationError | RequestValidationError) and problem.details:
        return validation_message(problem.details)
    if isinstance(cause, AuthError):
        return f"Authentication failed: {problem.message}"
    if isinstance(cause, RateLimitedError):
        return f"Rate limit exceeded: {problem.message}"
    return problem.message


def render(problem: Problem) -> JsonResponse:
    """A problem in 003's envelope; watchwire's own errors always answer a 4xx."""
    headers = dict(problem.headers)
    if isinstance(problem.cause, AuthError):
        headers["WWW-Authenticate"] = 'Basic realm="watchwire"'
    status = problem.status
    if (
        isinstance(problem.cause, WatchwireError)
        and not 400 <= status < 500
        and not isinstance(problem.cause, UnavailableError)  # 503: the storage is away
    ):
        status = 400
    return failure(status, _status_message(problem), problem.details, headers)


def install(app: FastAPI) -> None:
    """003's error envelope on the dialect's (mounted) application."""
    errors.install(app, render, FIELD_NAMES)
