"""The connection layer of the http probe: one fresh, policy-checked, timed connection per hop.

aiohttp does the HTTP; this module makes sure that
  * every address it connects to passes the target policy — names through `PolicyResolver`,
    literal IPs (which aiohttp never hands to a resolver) in `check_literal`;
  * the phases of the real connection are timed where they happen: DNS in the resolver, TCP
    connect and TLS handshake split in the connector (aiohttp reports them as one), first byte
    and transfer around the response. aiohttp's TraceConfig was the first design; it cannot
    split TCP from TLS, and its per-request signal objects cost over a tenth of the probe rate in
    bench/http_probe.py, so the hop clock travels in a context variable instead;
  * the negotiated TLS version and the peer address are read from the live transport.

Sessions are pooled per event loop and configuration (`session_for`): creating one per probe
cost a fifth of the probe rate in bench/http_probe.py. Pooling keeps every connection fresh —
the connector never reuses one (`force_close`) — and shares no cookies (the session's jar is
a dummy; the probe carries cookies between its own redirect hops). The pool of a loop is
closed when the loop shuts down its async generators, as `asyncio.run` and pytest do.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import weakref
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.abc import ResolveResult

from watchwire.errors import ProbeError
from watchwire.probes.base import ms_between
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import PolicyResolver, literal_address

FAMILIES = {None: socket.AF_UNSPEC, 4: socket.AF_INET, 6: socket.AF_INET6}


@dataclass(slots=True)
class HopClock:
    """Monotonic instants (seconds, `time.perf_counter`) of one request's phases.

    `phase` names what the hop was doing last, so a timeout can say where it struck.
    """

    started: float
    phase: str = "connecting"
    dns_started: float | None = None
    dns_done: float | None = None
    connect_started: float | None = None
    tcp_connected: float | None = None
    connected: float | None = None
    headers_received: float | None = None
    body_done: float | None = None
    peer: str | None = None
    tls_version: str | None = None
    tls_cipher: str | None = None


# The hop the current task is making; read by the resolver and the connector, which aiohttp calls from the
# same task but without a way to pass per-request data.
CURRENT_HOP: ContextVar[HopClock | None] = ContextVar("watchwire_http_hop", default=None)


def _span_ms(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return ms_between(start, end)


def phase_ms(clock: HopClock) -> dict[str, float | None]:
    """The hop's phase durations in milliseconds (None for a phase that did not happen)."""
    end = clock.body_done or clock.headers_received
    return {
        "dns_lookup_ms": _span_ms(clock.dns_started, clock.dns_done),
        "tcp_connect_ms": _span_ms(clock.connect_started, clock.tcp_connected),
        "tls_handshake_ms": _span_ms(clock.tcp_connected, clock.connected)
        if clock.tls_version
        else None,
        # Like curl's starttransfer minus pretransfer: sending the request + the server's wait.
        "first_byte_ms": _span_ms(clock.connected, clock.headers_received),
        "transfer_ms": _span_ms(clock.headers_received, clock.body_done),
        "total_ms": _span_ms(clock.started, end or time.perf_counter()),
    }


def check_literal(host: str, policy: TargetPolicy, ip_version: int | None) -> None:
    """Refuse an IP-literal host before aiohttp sees it: aiohttp never resolves literals
    (so PolicyResolver never sees them), and silently drops one of the wrong family."""
    if type(policy) is TargetPolicy:
        # Cached by the policy's switches: the policy's own hash and equality are Python code.
        _check_cached(host, policy.allow_private, policy.allow_metadata, ip_version)
    else:  # a policy with rules of its own
        _check(host, policy, ip_version)


@lru_cache(maxsize=4096)  # monitors repeat their hosts; a refusal raises and is not cached
def _check_cached(
    host: str, allow_private: bool, allow_metadata: bool, ip_version: int | None
) -> None:
    _check(host, TargetPolicy(allow_private, allow_metadata), ip_version)


def _check(host: str, policy: TargetPolicy, ip_version: int | None) -> None:
    address = literal_address(host)
    if address is None:
        return  # a name: PolicyResolver checks every address it resolves to
    if ip_version is not None and address.version != ip_version:
        raise ProbeError(f"{address} is not an IPv{ip_version} address")
    policy.check(address)


class TimedPolicyResolver(PolicyResolver):
    """The policy resolver, timing the DNS phase of the probe's current hop."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        clock = CURRENT_HOP.get()
        if clock is not None:
            clock.dns_started, clock.phase = time.perf_counter(), "dns_lookup"
        resolved = await super().resolve(host, port, family)
        if clock is not None:
            clock.dns_done = time.perf_counter()
        return resolved


class TimedConnector(aiohttp.TCPConnector):
    """A connector that never reuses a connection, resolves names through the policy and
    times TCP connect and TLS handshake separately on the real connection."""

    def __init__(self, policy: TargetPolicy, ip_version: int | None, **kwargs: Any) -> None:
        super().__init__(
            resolver=TimedPolicyResolver(policy),
            family=FAMILIES[ip_version],
            use_dns_cache=False,
            force_close=True,
            limit=0,
            **kwargs,
        )
        self._policy = policy
        self._ip_version = ip_version

    # aiohttp has no public hook between "TCP connected" and "TLS done"; this private method
    # is the narrowest place that sees both, and the tests pin its behaviour. Every address
    # reaching it has passed the policy: names in PolicyResolver, literals in check_literal.
    async def _wrap_create_connection(  # type: ignore[override]
        self, protocol_factory: Any, *args: Any, addr_infos: list[Any], **kwargs: Any
    ) -> tuple[Any, Any]:
        clock = CURRENT_HOP.get() or HopClock(started=time.perf_counter())
        clock.connect_started = time.perf_counter()

        # The event loop builds the protocol once the socket is connected and before any TLS
        # byte is exchanged: that instant splits TCP connect from the handshake.
        def timed_factory() -> Any:
            clock.tcp_connected = time.perf_counter()
            clock.phase = "tls_handshake"
            return protocol_factory()

        clock.phase = "tcp_connect"
        transport, protocol = await super()._wrap_create_connection(
            timed_factory, *args, addr_infos=addr_infos, **kwargs
        )
        clock.connected = time.perf_counter()
        clock.phase = "waiting_first_byte"
        if len(addr_infos) == 1:  # the usual case; asking the socket costs a system call
            clock.peer = str(addr_infos[0][4][0])
        else:
            peer = transport.get_extra_info("peername")
            clock.peer = str(peer[0]) if peer else None
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            clock.tls_version = ssl_object.version()
            cipher = ssl_object.cipher()
            clock.tls_cipher = cipher[0] if cipher else None
        return transport, protocol


@lru_cache(maxsize=8)
def ssl_context(verify: bool, ca_file: Path | None) -> ssl.SSLContext:
    """A client TLS context, built once per (verify, trust root): loading a CA bundle costs
    milliseconds, far more than a probe should spend on it."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_file is not None:
        return ssl.create_default_context(cafile=str(ca_file))
    return ssl.create_default_context()


def _new_session(
    policy: TargetPolicy, ip_version: int | None, verify: bool, ca_file: Path | None
) -> aiohttp.ClientSession:
    """No proxies from the environment, no cookie jar, no automatic redirects, timeouts left
    to the probe."""
    return aiohttp.ClientSession(
        connector=TimedConnector(policy, ip_version, ssl=ssl_context(verify, ca_file)),
        timeout=aiohttp.ClientTimeout(total=None),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        auto_decompress=True,
    )


_SessionKey = tuple[TargetPolicy, int | None, bool, Path | None]


@dataclass(eq=False, slots=True)
class _LoopPool:
    sessions: dict[_SessionKey, aiohttp.ClientSession] = field(default_factory=dict)
    closer: AsyncIterator[None] | None = None


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
    weakref.WeakKeyDictionary()
)


async def _close_at_loop_shutdown(pool: _LoopPool) -> AsyncIterator[None]:
    # An async generator parked at its yield is closed by loop.shutdown_asyncgens(), which
    # asyncio.run, uvloop.run and pytest-asyncio call before closing the loop.
    try:
        yield
    finally:
        await close_pool(pool)


async def close_pool(pool: _LoopPool) -> None:
    sessions = list(pool.sessions.values())
    pool.sessions.clear()
    for session in sessions:
        await session.close()


async def close_sessions() -> None:
    """Close the pooled sessions of the running loop (for an orderly shutdown)."""
    pool = _POOLS.get(asyncio.get_running_loop())
    if pool is not None:
        await close_pool(pool)


async def session_for(
    loop: asyncio.AbstractEventLoop,
    policy: TargetPolicy,
    ip_version: int | None,
    verify: bool,
    ca_file: Path | None,
) -> aiohttp.ClientSession:
    """The running loop's session for this policy, address family and trust."""
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = _LoopPool()
        pool.closer = _close_at_loop_shutdown(pool)
        await anext(pool.closer)
    key = (policy, ip_version, verify, ca_file)
    session = pool.sessions.get(key)
    if session is None or session.closed:
        session = pool.sessions[key] = _new_session(policy, ip_version, verify, ca_file)
    return session
