"""Real receivers on loopback for the notification channels.

- `mail_sink`: an aiosmtpd SMTP server (own thread and loop) that keeps every message it
  accepts. Recipients `refused@…` get `550 no such user`, `busy@…` get `451 try again later`.
- `receiver`: an aiohttp server that records every request (path, headers, JSON body).
  `/status/{code}` answers that status (with `Retry-After` when `?retry_after=N`), `/slow`
  answers after 30 s, anything else answers 200.
"""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailSink:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    def to(self, address: str) -> list[Message]:
        return [
            m for m, rcpts in zip(self.messages, self.recipients, strict=True) if address in rcpts
        ]


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refused@"):
            return "550 5.1.1 no such user"
        if address.startswith("busy@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._sink.messages.append(email.message_from_bytes(envelope.content))
        self._sink.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink("127.0.0.1", free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port, ready_timeout=30)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class Receiver:
    base: str
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return self.base + path


def _receiver_app(receiver: Receiver) -> web.Application:
    async def record(request: web.Request) -> web.StreamResponse:
        receiver.requests.append(
            Received(request.method, request.path, dict(request.headers), await request.read())
        )
        if request.path.startswith("/status/"):
            headers = {}
            if "retry_after" in request.query:
                headers["Retry-After"] = request.query["retry_after"]
            return web.Response(status=int(request.path.rsplit("/", 1)[1]), headers=headers)
        if request.path == "/slow":
            await asyncio.sleep(30)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    return app


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver("")
    runner = web.AppRunner(_receiver_app(receiver), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    receiver.base = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()
