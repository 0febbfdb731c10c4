"""002 shows no error bodies; the dialect answers every error in one shape (GAPS.md leaves it
open, docs/dialects/entri.md shows it):

    {"message": "dnsRecords[0].ttl: ttl is required", "code": "validation_error",
     "errors": [{"field": "dnsRecords[0].ttl", "rule": "required", "message": "…"}]}

`message` is the key Entri's gateway puts its own errors under (`{"message":
"Unauthorized"}`), so clients that print it print something useful; `errors` is present on
every error, empty when no field is to blame. The services' field names are 002's
(`records` → `dnsRecords`) and list positions are written `name[i]`, as the kit writes them.
Watchwire's own errors answer 4xx (503 when the storage is away); only a bug is a 500.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchwire.api.dialects.kit import errors
from watchwire.api.dialects.kit.errors import Problem
from watchwire.api.envelope import JsonResponse
from watchwire.errors import AuthError, UnavailableError, ValidationError, WatchwireError

FIELD_NAMES = {"records": "dnsRecords"}
_HTTP_MESSAGES = {
    404: "Not found: no such path in the Entri Monitor API",
    405: "Method not allowed on this path",
}
# `records.0.ttl` (the services' pydantic locations) → `records[0].ttl`.
_POSITION = re.compile(r"(?<=[A-Za-z\]])\.(\d+)(?=[.:\s]|$)")


def positions(text: str) -> str:
    return _POSITION.sub(r"[\1]", text)


def _naming(detail: dict[str, str]) -> str:
    """A detail's message, beginning with the field it blames."""
    field, message = detail["field"], detail["message"]
    return message if message.startswith(field) else f"{field}: {message}"


def failure(
    status: int,
    message: str,
    code: str,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"message": message, "code": code, "errors": details or []}
    return JsonResponse(body, status_code=status, headers=headers)


def render(problem: Problem) -> JsonResponse:
    cause = problem.cause
    headers = dict(problem.headers)
    details = [{key: positions(value) for key, value in d.items()} for d in problem.details]
    message = positions(problem.message)
    code = problem.code
    if isinstance(cause, StarletteHTTPException):
        message = _HTTP_MESSAGES.get(problem.status, message)
    if isinstance(cause, ValidationError | RequestValidationError):
        if code == "missing_parameter":
            code = "validation_error"
        if details:
            message = "; ".join(_naming(d) for d in details)
    if isinstance(cause, AuthError):
        headers["WWW-Authenticate"] = 'Bearer realm="entri-monitor"'
    status = problem.status
    if (
        isinstance(cause, WatchwireError)
        and not 400 <= status < 500
        and not isinstance(cause, UnavailableError)
    ):
        status = 400
    return failure(status, message, code, details, headers)


def install(app: FastAPI) -> None:
    errors.install(app, render, FIELD_NAMES)
