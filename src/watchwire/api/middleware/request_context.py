"""Request id and timing for every response, plus the rate-limit headers the auth
dependency computed (so they appear on successes and errors alike), and the access-log
line of each request once its response has been sent."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


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

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if self.access_log is not None:
                self.access_log(**_access_fields(scope, state, status, request_id))


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
