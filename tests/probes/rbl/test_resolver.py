"""The rbl probe's loop-driven c-ares channel and its bounded worker pool: answers, error
numbers instead of exceptions, c-ares' own timeouts, cancellation on close."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pycares
import pytest

from tests.servers.rbldnsd import RbldnsdFactory, rbldnsd_factory
from watchwire.probes.rbl._channel import bounded
from watchwire.probes.rbl._resolver import LoopResolver

__all__ = ["rbldnsd_factory"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A UDP port that takes queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def test_answers_and_nxdomain(rbldnsd_factory: RbldnsdFactory) -> None:
    server = rbldnsd_factory({"bl.test": ("ip4set", [":127.0.0.2:listed $", "192.0.2.1"])})
    resolver = LoopResolver(asyncio.get_running_loop(), server.address, timeout=1.0, tries=2)
    try:
        listed, missing, reason = await asyncio.gather(
            resolver.query("1.2.0.192.bl.test", pycares.QUERY_TYPE_A),
            resolver.query("9.2.0.192.bl.test", pycares.QUERY_TYPE_A),
            resolver.query("1.2.0.192.bl.test", pycares.QUERY_TYPE_TXT),
        )
    finally:
        resolver.close()
    result, errno = listed
    assert errno is None and result is not None
    assert [r.data.addr for r in result.answer if isinstance(r.data, pycares.ARecordData)] == [
        "127.0.0.2"
    ]
    assert missing == (None, pycares.errno.ARES_ENOTFOUND)
    assert reason[0] is not None
    [text] = [r.data for r in reason[0].answer if isinstance(r.data, pycares.TXTRecordData)]
    assert text.data == b"listed 192.0.2.1"


async def test_silent_server_times_out_after_every_try(silent_port: int) -> None:
    resolver = LoopResolver(
        asyncio.get_running_loop(), f"127.0.0.1:{silent_port}", timeout=0.2, tries=2
    )
    started = time.monotonic()
    try:
        result, errno = await resolver.query("1.2.0.192.bl.test", pycares.QUERY_TYPE_A)
    finally:
        resolver.close()
    elapsed = time.monotonic() - started
    assert (result, errno) == (None, pycares.errno.ARES_ETIMEOUT)
    # c-ares doubles the timeout for the second try: 0.2 + 0.4 s, not a tick of ours later.
    assert 0.5 <= elapsed < 1.2


async def test_close_answers_what_is_still_asked(silent_port: int) -> None:
    resolver = LoopResolver(
        asyncio.get_running_loop(), f"127.0.0.1:{silent_port}", timeout=5.0, tries=1
    )
    pending = resolver.query("1.2.0.192.bl.test", pycares.QUERY_TYPE_A)
    await asyncio.sleep(0.05)
    resolver.close()
    assert await asyncio.wait_for(pending, 1) == (None, pycares.errno.ARES_ECANCELLED)
    assert not resolver._readers and not resolver._writers and resolver._timer is None


async def test_bounded_keeps_order_and_limit() -> None:
    running = peak = 0

    async def job(value: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (value % 3))
        running -= 1
        return value * 2

    calls = [lambda value=value: job(value) for value in range(50)]
    assert await bounded(calls, 7) == [value * 2 for value in range(50)]
    assert peak == 7
    assert await bounded(calls[:3], 1) == [0, 2, 4]
    assert await bounded([], 5) == []
