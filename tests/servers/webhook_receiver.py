"""A real webhook receiver on loopback (aiohttp) that records every request and can be told,
per path, to answer with a status (500, 410 …), to send Retry-After with a 429/503, or to
hang before answering.

    async def test_x(webhook_receiver: Receiver) -> None:
        webhook_receiver.behave("/down", status=500)
        url = webhook_receiver.url("/down")
        ...
        assert webhook_receiver.requests("/down")[0].headers["webhook-id"] == event.sid
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from multidict import CIMultiDictProxy


@dataclass(frozen=True)
class Received:
    path: str
    headers: CIMultiDictProxy[str]
    body: bytes


@dataclass
class Behaviour:
    status: int = 200
    retry_after: str | None = None
    delay: float = 0.0
    body: str = "ok"


@dataclass
class Receiver:
    base: str = ""
    received: list[Received] = field(default_factory=list)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/hook") -> str:
        return self.base + path

    def behave(
        self,
        path: str,
        *,
        status: int = 200,
        retry_after: str | None = None,
        delay: float = 0.0,
        body: str = "ok",
    ) -> None:
        self.behaviours[path] = Behaviour(status, retry_after, delay, body)

    def requests(self, path: str | None = None) -> list[Received]:
        return [r for r in self.received if path is None or r.path == path]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append(Received(request.path, request.headers, body))
        self.arrived.set()
        behaviour = self.behaviours.get(request.path, Behaviour())
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
        return web.Response(status=behaviour.status, text=behaviour.body, headers=headers)


async def start_receiver(host: str = "127.0.0.1", port: int = 0) -> tuple[Receiver, web.AppRunner]:
    """A receiver on `port` (a free one by default): a test that keeps a port closed for a
    while, as a receiver that is down, starts it there later."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    receiver.base = f"http://{host}:{port}"
    return receiver, runner


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[Receiver]:
    receiver, runner = await start_receiver()
    try:
        yield receiver
    finally:
        await runner.cleanup()
