"""A TLS service on 127.0.0.1 with a trustme certificate for `localhost` and 127.0.0.1, for
tcps/ssl probes and monitors: `ca_pem` is the CA a client must be told to trust, and `stop()`
closes the port so that a monitor sees it go down."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import trustme


@dataclass
class TlsService:
    port: int
    ca_pem: str
    server: asyncio.Server

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def tls_service() -> AsyncIterator[TlsService]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    service = TlsService(server.sockets[0].getsockname()[1], ca.cert_pem.bytes().decode(), server)
    yield service
    await service.stop()
