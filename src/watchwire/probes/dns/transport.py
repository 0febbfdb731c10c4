"""Asking one DNS question and getting its answer: UDP over a small asyncio datagram
protocol of our own, TCP when the answer comes back truncated (or when asked).

dnspython builds the query (once per distinct question: later queries reuse its wire form
with a fresh id) and parses the answer; the transport is ours because dnspython's async
query path costs markedly more per query (see docs/probes/dns.md for the figures).
Queries in flight to the same server at the same time share a few sockets, told apart by
message id; a reply counts only if its id, QR bit and question match. A socket closes as
soon as its last query is done.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import time
import weakref
from dataclasses import dataclass
from functools import lru_cache

import dns.entropy
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver

from watchwire.errors import ProbeError
from watchwire.hostport import parse_hostport
from watchwire.probes._deadlines import within
from watchwire.probes.base import ms_since

DNS_PORT = 53


# Large enough for DNSKEY sets and signed answers, small enough to avoid fragmentation
# (the DNS Flag Day 2020 value).
EDNS_PAYLOAD = 1232


@dataclass(frozen=True, slots=True)
class Question:
    """What to ask: a name, a type, and whether to ask for DNSSEC records (DO) and to have a
    validating resolver hand over data it would refuse (CD)."""

    name: dns.name.Name
    rdtype: dns.rdatatype.RdataType
    dnssec: bool = False
    checking_disabled: bool = False

    def to_message(self) -> dns.message.Message:
        """The query as a dnspython message (EDNS0, RD set)."""
        request = dns.message.make_query(
            self.name, self.rdtype, use_edns=0, payload=EDNS_PAYLOAD, want_dnssec=self.dnssec
        )
        if self.checking_disabled:
            request.flags |= dns.flags.CD
        return request


@lru_cache(maxsize=4096)
def _template(question: Question) -> tuple[bytes, bytes]:
    """The query's wire form (id to be replaced) and its question section, lower-cased."""
    wire = question.to_message().to_wire()
    end = 12 + len(question.name.to_wire() or b"") + 4
    return wire, wire[12:end].lower()


@dataclass(frozen=True, slots=True)
class Exchange:
    """One answered query: the response, which server answered, over which transport, and
    how long it took."""

    response: dns.message.Message
    server: tuple[str, int]
    tcp: bool
    elapsed_ms: float


class DNSTimeout(ProbeError):
    """No answer from the server within the time allowed."""

    code = "dns_timeout"


def parse_server(value: str) -> tuple[str, int]:
    """HOST, HOST:PORT, [V6]:PORT or a bare IPv6 literal -> (host, port), port 53 by default.
    Raises ValueError naming the value."""
    return parse_hostport(value, DNS_PORT)


def format_server(server: tuple[str, int]) -> str:
    host, port = server
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@lru_cache(maxsize=1)
def system_resolver() -> tuple[str, int]:
    """The first nameserver of /etc/resolv.conf (read once per process)."""
    try:
        nameservers = dns.resolver.Resolver(configure=True).nameservers
    except dns.resolver.NoResolverConfiguration as exc:
        raise ProbeError("no system resolver is configured", code="dns_error") from exc
    for entry in nameservers:
        text = str(entry)
        try:
            ipaddress.ip_address(text)
        except ValueError:
            continue  # DoH/DoT URLs are not supported here
        return text, DNS_PORT
    raise ProbeError("the system resolver has no plain DNS nameserver", code="dns_error")


def _matches(data: bytes, question_wire: bytes) -> bool:
    """A reply (QR set) with one question, ours; the id was checked by the caller."""
    return (
        len(data) >= 12 + len(question_wire)
        and data[2] & 0x80 != 0
        and data[4:6] == b"\x00\x01"
        and data[12 : 12 + len(question_wire)].lower() == question_wire
    )


def _parse(data: bytes) -> dns.message.Message:
    try:
        return dns.message.from_wire(data, ignore_trailing=True)
    except dns.exception.DNSException:
        if data[2] & 0x02:
            # A truncated answer that does not parse: its header is all that matters.
            response = dns.message.Message(id=int.from_bytes(data[:2], "big"))
            response.flags = dns.flags.Flag(int.from_bytes(data[2:4], "big"))
            return response
        raise


_Pending = tuple[bytes, "asyncio.Future[dns.message.Message]"]


class _Channel(asyncio.DatagramProtocol):
    """One connected UDP socket to one server, carrying the queries in flight to it at the
    same time, told apart by message id. It closes when its last query is done, so an idle
    process holds no sockets and a quiet probe gets a fresh random source port each time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, registry: list[_Channel]) -> None:
        self.loop = loop
        self.registry = registry
        self.pending: dict[bytes, _Pending] = {}
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        # Id and question first: stray or spoofed datagrams must not cost a full parse.
        entry = self.pending.get(data[:2])
        if entry is None or entry[1].done() or not _matches(data, entry[0]):
            return
        try:
            entry[1].set_result(_parse(data))
        except dns.exception.DNSException:
            return  # malformed: keep waiting for a good one

    def error_received(self, exc: Exception) -> None:
        # An ICMP error on a connected socket says the server is unreachable: for every
        # query on this socket alike.
        for _, reply in self.pending.values():
            if not reply.done():
                reply.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._unregister()
        for _, reply in self.pending.values():
            if not reply.done():
                reply.set_exception(exc or ConnectionError("socket closed"))

    def _unregister(self) -> None:
        if self in self.registry:
            self.registry.remove(self)

    async def ask(self, question: Question, timeout: float) -> dns.message.Message:
        assert self.transport is not None
        wire, question_wire = _template(question)
        query_id = dns.entropy.random_16().to_bytes(2, "big")
        while query_id in self.pending:
            query_id = dns.entropy.random_16().to_bytes(2, "big")
        reply: asyncio.Future[dns.message.Message] = self.loop.create_future()
        self.pending[query_id] = (question_wire, reply)
        try:
            self.transport.sendto(query_id + wire[2:])
            # A coalesced deadline rather than asyncio.timeout: see probes/_deadlines.py.
            response = await within(self.loop, timeout, reply)
            if response is None:
                raise TimeoutError
            return response
        finally:
            del self.pending[query_id]
            if not self.pending:
                self._unregister()
                self.transport.close()


# Open channels per event loop and server. A channel takes new queries until it carries
# QUERIES_PER_SOCKET; then another socket is opened.
_channels: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], list[_Channel]]
] = weakref.WeakKeyDictionary()
QUERIES_PER_SOCKET = 64


async def _channel(server: tuple[str, int]) -> _Channel:
    loop = asyncio.get_running_loop()
    registry = _channels.setdefault(loop, {}).setdefault(server, [])
    for channel in registry:
        if len(channel.pending) < QUERIES_PER_SOCKET:
            return channel
    family = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
    _, channel = await loop.create_datagram_endpoint(
        lambda: _Channel(loop, registry), remote_addr=server, family=family
    )
    registry.append(channel)
    return channel


async def udp_exchange(
    question: Question, server: tuple[str, int], timeout: float
) -> dns.message.Message:
    """Ask over UDP; the first reply matching the query's id and question."""
    channel = await _channel(server)
    return await channel.ask(question, timeout)


async def tcp_exchange(
    question: Question, server: tuple[str, int], timeout: float
) -> dns.message.Message:
    """Ask over a fresh TCP connection."""
    wire, question_wire = _template(question)
    query_id = dns.entropy.random_16().to_bytes(2, "big")
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(server[0], server[1])
        try:
            writer.write(struct.pack("!H", len(wire)) + query_id + wire[2:])
            await writer.drain()
            while True:
                (length,) = struct.unpack("!H", await reader.readexactly(2))
                data = await reader.readexactly(length)
                if data[:2] == query_id and _matches(data, question_wire):
                    return _parse(data)
        finally:
            writer.close()


async def exchange(
    question: Question,
    server: tuple[str, int],
    timeout: float,
    *,
    tcp: bool = False,
    tcp_fallback: bool = True,
) -> Exchange:
    """Ask `question` of `server` and return the matching response; over TCP when `tcp` or
    when the UDP answer is truncated and `tcp_fallback` is on. Raises DNSTimeout when no
    answer comes within `timeout` (per transport attempt), ProbeError when the server
    cannot be reached or answers with garbage."""
    started = time.perf_counter()
    try:
        if not tcp:
            response = await udp_exchange(question, server, timeout)
            if not (response.flags & dns.flags.TC and tcp_fallback):
                return Exchange(response, server, False, ms_since(started))
        response = await tcp_exchange(question, server, timeout)
        return Exchange(response, server, True, ms_since(started))
    except TimeoutError as exc:
        raise DNSTimeout(
            f"no answer from {format_server(server)} within {timeout:g}s", code="dns_timeout"
        ) from exc
    except (OSError, EOFError, asyncio.IncompleteReadError, dns.exception.DNSException) as exc:
        raise ProbeError(f"cannot query {format_server(server)}: {exc}", code="dns_error") from exc
