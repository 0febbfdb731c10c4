"""Monitor targets that go up and down on command: an HTTP(S) site (aiohttp) whose answer,
speed and availability a test switches, and a TCP port that opens and closes."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from aiohttp import web


@dataclass
class SwitchableSite:
    """An HTTP site: `status` is what it answers, `delay` how long it thinks first."""

    port: int = 0
    status: int = 200
    delay: float = 0.0
    hits: int = 0
    scheme: str = "http"
    ca_file: Path | None = None
    _runner: web.AppRunner | None = field(default=None, repr=False)
    _hit: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def url(self) -> str:
        host = "localhost" if self.scheme == "https" else "127.0.0.1"
        return f"{self.scheme}://{host}:{self.port}/health"

    async def _handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        self._hit.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, text="ok" if self.status < 400 else "broken")

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> None:
        app = web.Application()
        app.router.add_get("/health", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=ssl_context)
        await site.start()
        if not self.port:
            self.port = int(self._runner.addresses[0][1])

    async def wait_for_hits(self, count: int) -> None:
        """Until the site has been asked `count` times in all."""
        while self.hits < count:
            await self._hit.wait()
            self._hit.clear()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@dataclass
class SwitchablePort:
    """A TCP port that accepts connections while open and refuses them while closed."""

    port: int = 0
    _server: asyncio.Server | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def open(self) -> None:
        async def greet(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        self._server = await asyncio.start_server(greet, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


@pytest.fixture
async def site() -> AsyncIterator[SwitchableSite]:
    target = SwitchableSite()
    await target.start()
    yield target
    await target.stop()


@pytest.fixture
async def tcp_port() -> AsyncIterator[SwitchablePort]:
    target = SwitchablePort()
    await target.open()
    yield target
    await target.close()


@pytest.fixture
async def expiring_https_site(tmp_path: Path) -> AsyncIterator[SwitchableSite]:
    """An https site for `localhost` whose certificate expires in 10 days; its CA is in
    `ca_file` for the probe context."""
    ca = trustme.CA()
    leaf = ca.issue_cert("localhost", not_after=datetime.now(UTC) + timedelta(days=10, hours=12))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    target = SwitchableSite(scheme="https", ca_file=ca_file)
    await target.start(context)
    yield target
    await target.stop()
