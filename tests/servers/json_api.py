"""A JSON API on 127.0.0.1 (aiohttp) whose answer a test sets: `document` (sent as JSON, or
`text` as it is), `status` and extra `headers`; for the api probe and api monitors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class JsonApi:
    document: Any = field(default_factory=dict)
    text: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    port: int = 0
    _runner: web.AppRunner | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/status"

    async def _answer(self, request: web.Request) -> web.Response:
        if self.text is not None:
            return web.Response(status=self.status, text=self.text, headers=self.headers)
        return web.json_response(self.document, status=self.status, headers=self.headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/status", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def json_api() -> AsyncIterator[JsonApi]:
    server = JsonApi()
    await server.start()
    yield server
    await server.stop()
