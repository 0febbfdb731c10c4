"""watchwire's app behind `watchwire.http_server.Server` (what `serve` and `api` run) on a free
loopback port, in the test's own event loop so the test's database stays usable."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI

from watchwire.http_server import Server


@pytest.fixture
async def api_server(app: FastAPI) -> AsyncIterator[tuple[str, int]]:
    """(host, port) of `app` served by watchwire's HTTP server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    server = Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # up to 5 s for the start-up
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "the server did not start"
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=30)
