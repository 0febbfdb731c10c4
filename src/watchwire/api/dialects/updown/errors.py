"""001's one error shape, `{"error": "<message>"}`, as updown's clients read it (they catch
400, 401, 403, 404 and 429 and print `error`). Validation errors read like updown's Rails
messages, one sentence per broken rule joined by ", ":

    {"error": "URL is already registered (given: \\"https://a.example/\\"), Period is not
               included in the list (given: 45)"}

The services' field names are 001's (`target` → `url`, `interval` → `period`, `name` →
`alias`). A conflict (a second check of the same URL) is a 400 as at updown; the storage
being away stays a 503; only a bug is a 500.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchwire.api.dialects.kit import errors
from watchwire.api.dialects.kit.errors import Problem
from watchwire.api.envelope import JsonResponse
from watchwire.errors import ConflictError, NotFoundError, ValidationError, WatchwireError

FIELD_NAMES = {
    "target": "url",
    "interval": "period",
    "name": "alias",
    "apdex_t_ms": "apdex_t",
    "components": "checks",
}
# How a field is named at the start of a sentence (Rails' `human_attribute_name`).
HUMAN = {"url": "URL", "apdex_t": "Apdex t", "http_verb": "HTTP verb", "http_body": "HTTP body"}
_NOT_FOUND = {"Monitor not found": "Check not found", "Resource not found": "Not found"}
_HTTP_MESSAGES = {404: "Not found", 405: "Method not allowed"}


def human(field: str) -> str:
    """`period` → `Period`, `url` → `URL`, `custom_headers.X` → `Custom headers.X`."""
    head, dot, rest = field.partition(".")
    name = HUMAN.get(head) or head.replace("_", " ").capitalize()
    return name + dot + rest


def sentence(detail: dict[str, str]) -> str:
    """A detail as one sentence beginning with its field's human name."""
    field, message = detail.get("field", ""), detail.get("message", "")
    if not field:
        return message
    for prefix in (f"{field}: ", f"{field} "):
        if message.startswith(prefix):
            return f"{human(field)} {message[len(prefix) :]}".replace(" : ", ": ")
    if message.startswith(human(field)):
        return message
    return f"{human(field)}: {message}"


def failure(status: int, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse({"error": message}, status_code=status, headers=headers)


def render(problem: Problem) -> JsonResponse:
    cause = problem.cause
    message = problem.message
    status = problem.status
    if isinstance(cause, ValidationError | RequestValidationError) and problem.details:
        message = ", ".join(sentence(d) for d in problem.details)
    elif isinstance(cause, NotFoundError):
        message = _NOT_FOUND.get(message, message)
    elif isinstance(cause, StarletteHTTPException):
        message = _HTTP_MESSAGES.get(status, message)
    if isinstance(cause, ConflictError):
        status = 400
    if isinstance(cause, WatchwireError) and status >= 500 and status != 503:
        status = 400
    return failure(status, message, dict(problem.headers))


def install(app: FastAPI) -> None:
    errors.install(app, render, FIELD_NAMES)
