"""A TLS server whose certificate can be swapped while it keeps listening, as a real server's
is when its certificate is renewed or replaced: `swappable_tls_server(chain)` starts one on
127.0.0.1 and `.present(chain)` changes what the next handshake shows. `SwappableChain` is
the swap alone: its `listener()` context serves any asyncio or aiohttp server (an https site
whose certificate is renewed: `SwitchableSite.start(chain.listener())`).

Certificates come from tests/servers/tls_servers.py's `Pki` (one root and intermediate per
session, `cert_pki`); a client trusts them through `cert_pki.root`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.tls_servers import Case, Pki, server_context


@dataclass
class SwappableChain:
    """A server context whose chain (leaf first) `present` swaps for new connections."""

    directory: Path
    handshakes: int = 0
    _context: ssl.SSLContext | None = None
    _versions: list[Path] = field(default_factory=list)

    def present(self, case: Case) -> None:
        directory = self.directory / f"chain{len(self._versions)}"
        directory.mkdir()
        self._versions.append(directory)
        self._context = server_context(case, directory)

    def _choose(self, sslobj: ssl.SSLObject, _name: str | None, _ctx: ssl.SSLContext) -> None:
        # Called for every ClientHello, with or without SNI: switch to the current chain.
        self.handshakes += 1
        assert self._context is not None
        sslobj.context = self._context

    def listener(self) -> ssl.SSLContext:
        """The context to listen with; `present` a chain first."""
        listener = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        listener.minimum_version = ssl.TLSVersion.TLSv1_2
        listener.sni_callback = self._choose
        # The listener's own certificate is never shown (the callback swaps first), but
        # OpenSSL wants one loaded.
        listener.load_cert_chain(self._versions[0] / "chain.pem", self._versions[0] / "key.pem")
        return listener


@dataclass
class SwappableTls(SwappableChain):
    """A listening server that reads what comes and hangs up."""

    host: str = "127.0.0.1"
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self, case: Case) -> None:
        self.present(case)
        listener = self.listener()

        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.read(65536)
            except (ConnectionError, ssl.SSLError):
                pass
            finally:
                writer.close()

        self._server = await asyncio.start_server(answer, self.host, 0, ssl=listener)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


@pytest.fixture(scope="session")
def cert_pki() -> Pki:
    return Pki()


@pytest.fixture
async def swappable_tls_server(
    tmp_path: Path,
) -> AsyncIterator[Callable[[Case], Awaitable[SwappableTls]]]:
    """`server = await swappable_tls_server(case)`; then `server.present(other_case)`."""
    servers: list[SwappableTls] = []

    async def start(case: Case) -> SwappableTls:
        directory = tmp_path / f"swappable{len(servers)}"
        directory.mkdir()
        server = SwappableTls(directory)
        await server.start(case)
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()
