"""The ping face of heartbeat monitors, on the public listener, with no API key:

    GET|POST|HEAD /pulse/{token}          the job ran and succeeded
    GET|POST|HEAD /pulse/{token}/start    the job started (its end measures the run time)
    GET|POST|HEAD /pulse/{token}/fail     the job failed: the monitor is down at once

Answers are plain text, as cron jobs and `curl` read them: `200 OK: <ping UUID>`,
`404 Not found` for any token no monitor has (the same answer whatever the token, so it
tells nothing of other monitors), `429` with `Retry-After` past the monitor's budget. The
body is read and its first `BODY_LIMIT` bytes kept; a longer one is cut, not refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from watchwire.errors import NotFoundError, RateLimitedError, UnavailableError
from watchwire.services.heartbeats import BODY_LIMIT, NOT_FOUND, PingKind, PingRequest

# Bytes read from a body at most: past this the rest is left unread (the connection closes
# after the answer), so a client cannot keep a request open by streaming forever.
READ_LIMIT = 1 << 20
METHODS = ["GET", "POST", "HEAD"]
NO_STORE = {"Cache-Control": "no-store"}


class Pulses(Protocol):
    async def ping(self, token: str, request: PingRequest) -> str:
        """Record the ping; its UUID. NotFoundError, RateLimitedError as documented."""
        ...


PulsesOf = Callable[[Request], Pulses]


async def _read_body(request: Request) -> tuple[bytes, int]:
    """The first BODY_LIMIT bytes of the body and how many bytes were read in all."""
    head = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if len(head) < BODY_LIMIT:
            head += chunk[: BODY_LIMIT - len(head)]
        if size >= READ_LIMIT:
            break
    return bytes(head), size


def _text(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(text, status_code=status, headers={**NO_STORE, **(headers or {})})


def router(pulses_of: PulsesOf) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    async def receive(request: Request, token: str, kind: PingKind) -> Response:
        head, size = await _read_body(request) if request.method == "POST" else (b"", 0)
        client = request.client
        ping = PingRequest(
            kind=kind,
            method=request.method,
            head=head,
            body_bytes=size,
            remote_addr=client.host if client else None,
            user_agent=request.headers.get("user-agent"),
        )
        try:
            ping_id = await pulses_of(request).ping(token, ping)
        except NotFoundError:
            return _text(404, NOT_FOUND)
        except RateLimitedError as exc:
            return _text(429, exc.message, {"Retry-After": str(exc.retry_after)})
        except UnavailableError:
            return _text(503, "Service unavailable, try again", {"Retry-After": "5"})
        return _text(200, f"OK: {ping_id}")

    @routes.api_route("/pulse/{token}", methods=METHODS)
    async def success(request: Request, token: str) -> Response:
        return await receive(request, token, "success")

    @routes.api_route("/pulse/{token}/start", methods=METHODS)
    async def start(request: Request, token: str) -> Response:
        return await receive(request, token, "start")

    @routes.api_route("/pulse/{token}/fail", methods=METHODS)
    async def fail(request: Request, token: str) -> Response:
        return await receive(request, token, "fail")

    return routes


def install(app: FastAPI, pulses_of: PulsesOf) -> None:
    app.include_router(router(pulses_of))
