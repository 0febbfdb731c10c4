"""The resolver channel of one call: which server to ask, the c-ares channel opened on it,
and the bounded fan-out of lookups over it."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import pycares

from watchwire.errors import ProbeError
from watchwire.hostport import parse_hostport
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl._resolver import LoopResolver
from watchwire.probes.rbl.query import server_string

NO_RESOLVER = (
    "blocklists need a resolver of your own: set WATCHWIRE_RESOLVER=HOST:PORT or name one "
    "for this check (most lists refuse queries that come through public resolvers)"
)


async def resolver_server(named: str | None, ctx: ProbeContext) -> str:
    """The c-ares server string. A resolver `named` by the call goes through the target
    policy (it is an address we send packets to); the operator's WATCHWIRE_RESOLVER is
    trusted."""
    if named:
        host, port = parse_hostport(named, 53)
        addresses = await ctx.policy.resolve(host, port)
        return server_string(str(addresses[0]), port)
    if ctx.resolver is None:
        raise ProbeError(NO_RESOLVER, code="resolver_required")
    host, port = ctx.resolver
    try:
        return server_string(str(ipaddress.ip_address(host.strip("[]"))), port)
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise ProbeError(f"cannot resolve the resolver {host}: {exc.strerror}") from exc
    return server_string(str(infos[0][4][0]), port)


@contextlib.contextmanager
def open_resolver(server: str, timeout: float) -> Iterator[LoopResolver]:
    # c-ares doubles the timeout on each retry: t + 2t = the caller's budget, with one
    # retransmission for a lost UDP packet. That bound replaces a per-query asyncio timer,
    # which costs more than the lookup itself at thousands of queries per second.
    # NOCHECKRESP: hand SERVFAIL/REFUSED back at once instead of retrying them as failures.
    resolver = LoopResolver(
        asyncio.get_running_loop(),
        server,
        timeout=timeout / 3,
        tries=2,
        flags=pycares.ARES_FLAG_NOCHECKRESP,
    )
    try:
        yield resolver
    finally:
        resolver.close()


async def bounded(calls: Sequence[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Every call's result, in order, with at most `limit` running at once: `limit` workers
    that take the next call as they finish one. Cheaper than a task per call (thousands, for
    a subnet) behind a semaphore: no task to create and schedule per call, and no release
    that walks past the waiters already woken but not yet run (asyncio.Semaphore does)."""
    results: list[Any] = [None] * len(calls)
    queue = iter(enumerate(calls))

    async def worker() -> None:
        for index, call in queue:
            results[index] = await call()

    workers = min(limit, len(calls))
    if workers == 1:
        await worker()
    elif workers:
        tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:  # no orphans asking on after the resolver is closed
                task.cancel()
            raise
    return results
