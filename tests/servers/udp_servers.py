"""A real UDP server on 127.0.0.1 for the udp probe and monitors: it answers each datagram
with `prefix + datagram` while `answering`, stays silent otherwise, and keeps what it got."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class UdpEcho(asyncio.DatagramProtocol):
    prefix: bytes = b""
    answering: bool = True
    received: list[bytes] = field(default_factory=list)
    port: int = 0
    transport: Any = None  # the loop's datagram transport

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)
        if self.answering and self.transport is not None:
            self.transport.sendto(self.prefix + data, addr)


@pytest.fixture
async def udp_echo() -> AsyncIterator[UdpEcho]:
    loop = asyncio.get_running_loop()
    transport, server = await loop.create_datagram_endpoint(UdpEcho, local_addr=("127.0.0.1", 0))
    server.port = transport.get_extra_info("sockname")[1]
    yield server
    transport.close()


def closed_udp_port() -> int:
    """A loopback UDP port nothing listens on (bound, read, then released)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
