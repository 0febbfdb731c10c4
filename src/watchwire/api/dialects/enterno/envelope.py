"""000's envelope. A success is `{"data": …, "meta": {"request_id", "duration_ms",
"cached", "api_version"}}`; an error `{"error": {"code", "message"}, "meta": {"request_id",
"duration_ms", "api_version"}}`, except that v3 errors carry no `api_version` (GAPS.md).
`api_version` is "3.0" under `/api/v3` and "4.0" under `/api/v4`; `duration_ms` is a whole
number, as 000 shows it.

The meta is filled in when the answer is sent (`Envelope.__call__`), from the request's
scope: the same response object serves a route, the kit's error handlers and the
middlewares that answer before the app, none of which need the request at hand.

Errors keep watchwire's codes, which include every code of 000's table (`missing_parameter`,
`auth_required`, `invalid_api_key`, `insufficient_scope`, `not_found`, `method_not_allowed`,
`conflict`, `rate_limit_exceeded`, `daily_limit_exceeded`) and GAPS.md's `invalid_url`,
`monitor_exists`, `monitor_limit_reached`; a validation error adds `details` [{field, rule,
message}] so a script can tell which parameter broke which rule. Watchwire's own errors
answer 4xx (503 when the storage is away); only a bug is a 500.
"""

from __future__ import annotations

import re
import time
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from watchwire.api.dialects.kit import errors
from watchwire.api.dialects.kit.errors import Problem
from watchwire.errors import UnavailableError, WatchwireError

V3, V4 = "/api/v3", "/api/v4"
_HTTP_MESSAGES = {404: "Resource not found", 405: "HTTP method not allowed"}


def renamed(exc: WatchwireError, names: dict[str, str]) -> WatchwireError:
    """`exc` with the services' top-level field names (`target`) replaced by the page's
    parameters (`url`) in its details and message; nested names (`options.x.target`) stay."""
    details = exc.details if isinstance(exc.details, list) else []
    if not details:
        return exc
    changed = []
    for detail in details:
        field, message = str(detail["field"]), str(detail["message"])
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        if head in names:
            field = names[head] + field[len(head) :]
            if message.startswith(head):
                message = names[head] + message[len(head) :]
        changed.append({**detail, "field": field, "message": message})
    exc.details = changed
    exc.message = "; ".join(d["message"] for d in changed)
    return exc


def api_version(path: str) -> str:
    return "4.0" if path == V4 or path.startswith(V4 + "/") else "3.0"


class Envelope(Response):
    """One answer in 000's envelope; `payload` is `{"data": …}` or `{"error": …}`, and
    `meta_extra` what the meta adds (`pagination`)."""

    media_type = "application/json"

    def __init__(
        self,
        payload: dict[str, Any],
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        meta_extra: dict[str, Any] | None = None,
    ) -> None:
        self.payload = payload
        self.meta_extra = meta_extra or {}
        super().__init__(b"", status_code=status_code, headers=headers)

    def meta(self, scope: Scope) -> dict[str, Any]:
        state = scope.get("state") or {}
        started = state.get("started")
        duration = round((time.perf_counter() - started) * 1000) if started else 0
        version = api_version(scope.get("path", ""))
        meta: dict[str, Any] = {"request_id": state.get("request_id", ""), "duration_ms": duration}
        if "data" in self.payload:
            meta |= {"cached": False, "api_version": version}
        elif version == "4.0":
            meta["api_version"] = version
        return meta | self.meta_extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.body = orjson.dumps({**self.payload, "meta": self.meta(scope)})
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def success(data: Any, *, status: int = 200, pagination: dict[str, int] | None = None) -> Envelope:
    extra = {"pagination": pagination} if pagination is not None else None
    return Envelope({"data": data}, status_code=status, meta_extra=extra)


def render(problem: Problem) -> Envelope:
    message = problem.message
    if isinstance(problem.cause, StarletteHTTPException):
        message = _HTTP_MESSAGES.get(problem.status, message)
    error: dict[str, Any] = {"code": problem.code, "message": message}
    if problem.details:
        error["details"] = problem.details
    status = problem.status
    if (
        isinstance(problem.cause, WatchwireError)
        and not 400 <= status < 500
        and not isinstance(problem.cause, UnavailableError)
    ):
        status = 400
    return Envelope({"error": error}, status_code=status, headers=dict(problem.headers))


def install(app: FastAPI) -> None:
    errors.install(app, render)
