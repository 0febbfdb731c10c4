"""`X-Idempotency-Key` on writes (000): replay within the TTL, 409 while the first runs.

The stored response is the one the application produced (before compression); a replay
carries `X-Idempotent-Replayed: true`. Server errors are not stored, so a retry runs again.

The middleware's own errors (409 conflict, a key too long) are in the native envelope, or,
under a path prefix a dialect registered in `error_responses`, in that dialect's: a client
of a dialect never sees another document's error shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import orjson
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchwire.api import credentials
from watchwire.api.envelope import error_payload
from watchwire.errors import WatchwireError
from watchwire.services.accounts import Principal
from watchwire.services.idempotency import StoredResponse

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255
_STORED_HEADERS = frozenset({b"content-type", b"location"})

# An error answer of a dialect: (status, code, message) -> the ASGI response to send.
ErrorResponse = Callable[[int, str, str], ASGIApp]
# A dialect whose key may travel in the body (Enterno's `api_key`): (body, content type) ->
# the (sid, secret) it carries, None when it carries none.
BodyKey = Callable[[bytes, str], tuple[str, str] | None]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        error_responses: Sequence[tuple[str, ErrorResponse]] = (),
        body_keys: Sequence[tuple[str, BodyKey]] = (),
    ) -> None:
        self.app = app
        # (path prefix, how that dialect answers an error), the first matching prefix wins.
        self.error_responses = tuple(error_responses)
        # (path prefix, how that dialect finds a key in a body), likewise.
        self.body_keys = tuple(body_keys)

    async def _error(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        path: str = scope["path"]
        for prefix, respond in self.error_responses:
            if _under(path, prefix):
                await respond(status, code, message)(scope, receive, send)
                return
        await _send_error(scope, send, status, code, message)

    async def _caller(
        self, scope: Scope, headers: Headers, receive: Receive
    ) -> tuple[Principal | None, bytes | None]:
        """The principal of the key the request presents (None: none, or not a valid one)
        and the body, when it had to be read to find the key there."""
        body: bytes | None = None
        try:
            presented = credentials.extract(headers, QueryParams(scope.get("query_string", b"")))
            body_key = next((k for p, k in self.body_keys if _under(scope["path"], p)), None)
            if presented is None and body_key is not None:
                body = await _read_body(receive)
                presented = body_key(body, headers.get("content-type", ""))
            if presented is None:
                return None, body
            principal: Principal = await scope["app"].state.runtime.accounts.authenticate(
                *presented
            )
        except WatchwireError:
            return None, body
        return principal, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("x-idempotency-key")
        if not key:
            await self.app(scope, receive, send)
            return
        runtime = scope["app"].state.runtime
        principal, body = await self._caller(scope, headers, receive)
        if principal is None:  # the route answers 401 itself
            await self.app(scope, receive if body is None else _replaying(body), send)
            return
        if len(key) > MAX_KEY_LENGTH:
            await self._error(
                scope,
                receive,
                send,
                400,
                "missing_parameter",
                "X-Idempotency-Key is too long (max 255)",
            )
            return

        if body is None:
            body = await _read_body(receive)
        digest = hashlib.sha256()
        for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode(), body):
            digest.update(part.encode() if isinstance(part, str) else part)
            digest.update(b"\0")
        account = principal.account_sid
        try:
            stored = await runtime.idempotency.begin(account, key, digest.hexdigest())
        except WatchwireError as exc:
            await self._error(scope, receive, send, exc.status, exc.code, exc.message)
            return
        if stored is not None:
            await _replay(stored, send)
            return

        status = 500
        out_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def replay_body() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers.extend(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            if status < 500:
                kept = [
                    (k.decode(), v.decode()) for k, v in out_headers if k.lower() in _STORED_HEADERS
                ]
                await runtime.idempotency.finish(
                    account, key, StoredResponse(status, kept, b"".join(chunks))
                )
            else:
                await runtime.idempotency.abandon(account, key)


def _replaying(body: bytes) -> Receive:
    """A `receive` that gives the app the body already read."""
    left = [body]

    async def receive() -> Message:
        chunk = left.pop() if left else b""
        return {"type": "http.request", "body": chunk, "more_body": False}

    return receive


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


async def _replay(stored: StoredResponse, send: Send) -> None:
    headers = [(k.encode(), v.encode()) for k, v in stored.headers]
    headers.append((b"x-idempotent-replayed", b"true"))
    headers.append((b"content-length", str(len(stored.body)).encode()))
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _send_error(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    request_id = scope.get("state", {}).get("request_id", "")
    body = orjson.dumps(error_payload(request_id, code, message))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
