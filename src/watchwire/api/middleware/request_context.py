"""Request id and timing for every response, plus the rate-limit headers the auth
dependency computed (so they appear on successes and errors alike), the access-log line of
each request once its response has been sent, and its count in `/metrics` by route
template. Lines logged while the request runs carry its id (`logs.REQUEST_ID`)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchwire import logs, telemetry

_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
# Methods counted under their own name; any other (a client may send anything) is `other`,
# like a path no route matched is `unmatched`: label values stay a short, known list.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/v1/monitors/{sid}`, with the prefix of a
    mounted dialect), or `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    # A mounted app's routes are relative to its mount: root_path holds the prefix.
    prefix: str = scope.get("root_path", "")[len(scope.get("app_root_path", "")) :]
    return prefix + path


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, access_log: Callable[..., None] | None = None) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = (
            incoming.decode() if incoming and _VALID_ID.match(incoming) else secrets.token_hex(12)
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started"] = time.perf_counter()

        status = 500  # what the client sees when the app fails before answering

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                names = {k.lower() for k, _ in headers}
                for name, value in (state.get("ratelimit_headers") or {}).items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        token = logs.REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if self.access_log is not None:
                self.access_log(**_access_fields(scope, state, status, request_id))
            logs.REQUEST_ID.reset(token)
            method = scope["method"] if scope["method"] in _METHODS else "other"
            seconds = time.perf_counter() - state["started"]
            telemetry.request_answered(method, route_template(scope), status, seconds)


def _access_fields(scope: Scope, state: dict[str, Any], status: int, request_id: str) -> Any:
    # The path without the query string: a key may travel there (`?api-key=`).
    client = scope.get("client")
    principal = state.get("principal")
    return {
        "client": client[0] if client else None,
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round((time.perf_counter() - state["started"]) * 1000, 3),
        "request_id": request_id,
        "account": getattr(principal, "account_sid", None),
        "key": getattr(principal, "key_sid", None),
    }
