"""The two ways traceroute sends a probe with a limited hop count and learns who answered.

- UDP (no privilege needed): a datagram to an unused high port; with IP_RECVERR the kernel
  queues the ICMP error that comes back (time exceeded from a router, port unreachable from
  the destination) on the socket's error queue, with the offending router's address.
- ICMP echo (raw socket: root or CAP_NET_RAW): an echo request built by icmplib; routers
  answer time exceeded, the destination answers echo reply.

Both return a HopAnswer or None when nothing came back before the timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import time
from dataclasses import dataclass
from typing import Literal

from icmplib import ICMPLibError, ICMPRequest, ICMPv4Socket, ICMPv6Socket

from watchwire.errors import ProbeError
from watchwire.target_policy import IPAddress

AnswerKind = Literal["time_exceeded", "reached", "unreachable"]

# Linux constants the socket module does not export.
IP_RECVERR = 11
IPV6_RECVERR = 25
SO_TIMESTAMPNS = 35
SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3
_EXTENDED_ERR = struct.Struct("=IBBBBII")  # struct sock_extended_err


@dataclass(frozen=True, slots=True)
class HopAnswer:
    address: str
    rtt_ms: float
    kind: AnswerKind


async def wait_readable(sock: socket.socket, timeout: float) -> bool:
    """Whether `sock` became readable (or has a queued error) within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock.fileno(), wake)
    try:
        async with asyncio.timeout(timeout):
            await ready
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(sock.fileno())


async def udp_probe(address: IPAddress, port: int, ttl: int, timeout: float) -> HopAnswer | None:
    v6 = address.version == 6
    sock = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if v6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        # The kernel stamps the ICMP error on arrival, so the RTT does not include our own
        # scheduling delay.
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.connect((str(address), port))
        sent_ns = time.time_ns()
        sock.send(b"watchwire-traceroute")
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            if not await wait_readable(sock, remaining):
                return None
            answer = _read_error_queue(sock, sent_ns)
            if answer is not None:
                return answer
        return None
    except OSError as exc:
        raise ProbeError(f"cannot send a UDP probe to {address}: {exc.strerror}") from exc
    finally:
        sock.close()


def _read_error_queue(sock: socket.socket, sent_ns: int) -> HopAnswer | None:
    try:
        _, ancillary, _, _ = sock.recvmsg(512, 1024, socket.MSG_ERRQUEUE)
    except BlockingIOError:
        return None
    received_ns = time.time_ns()
    error: bytes | None = None
    for level, cmsg_type, data in ancillary:
        if level == socket.SOL_SOCKET and cmsg_type == SO_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack("=qq", data[:16])
            received_ns = seconds * 1_000_000_000 + nanoseconds
        elif (level, cmsg_type) in (
            (socket.IPPROTO_IP, IP_RECVERR),
            (socket.IPPROTO_IPV6, IPV6_RECVERR),
        ):
            error = data
    if error is None:
        return None
    answer = parse_extended_error(error)
    if answer is None:
        return None
    offender, kind = answer
    return HopAnswer(offender, round((received_ns - sent_ns) / 1e6, 3), kind)


def parse_extended_error(data: bytes) -> tuple[str, AnswerKind] | None:
    """(offender address, answer kind) from a sock_extended_err followed by the offender's
    sockaddr; None for errors that did not come from an ICMP message."""
    if len(data) < _EXTENDED_ERR.size + 2:
        return None
    _, origin, icmp_type, icmp_code, _, _, _ = _EXTENDED_ERR.unpack_from(data)
    offender_family = struct.unpack_from("=H", data, _EXTENDED_ERR.size)[0]
    if origin == SO_EE_ORIGIN_ICMP and offender_family == socket.AF_INET:
        raw = data[_EXTENDED_ERR.size + 4 : _EXTENDED_ERR.size + 8]
        if len(raw) < 4:
            return None
        offender = str(ipaddress.IPv4Address(raw))
        if icmp_type == 11:
            return offender, "time_exceeded"
        return offender, "reached" if (icmp_type, icmp_code) == (3, 3) else "unreachable"
    if origin == SO_EE_ORIGIN_ICMP6 and offender_family == socket.AF_INET6:
        raw = data[_EXTENDED_ERR.size + 8 : _EXTENDED_ERR.size + 24]
        if len(raw) < 16:
            return None
        offender = str(ipaddress.IPv6Address(raw))
        if icmp_type == 3:
            return offender, "time_exceeded"
        return offender, "reached" if (icmp_type, icmp_code) == (1, 4) else "unreachable"
    return None


async def icmp_probe(
    address: IPAddress, identifier: int, sequence: int, ttl: int, timeout: float
) -> HopAnswer | None:
    v6 = address.version == 6
    try:
        icmp_socket = ICMPv6Socket(privileged=True) if v6 else ICMPv4Socket(privileged=True)
    except ICMPLibError as exc:
        raise ProbeError(f"cannot open a raw ICMP socket: {exc}") from exc
    try:
        sock: socket.socket = icmp_socket.sock
        sock.setblocking(False)
        request = ICMPRequest(str(address), identifier, sequence, ttl=ttl)
        icmp_socket.send(request)
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            if not await wait_readable(sock, remaining):
                return None
            try:
                packet, source = sock.recvfrom(2048)
            except BlockingIOError:
                continue
            kind = parse_icmp_answer(packet, v6, identifier, sequence)
            if kind is not None:
                rtt_ms = round((time.time() - request.time) * 1000, 3)
                return HopAnswer(str(source[0]).split("%")[0], rtt_ms, kind)
        return None
    except ICMPLibError as exc:
        raise ProbeError(f"cannot send an ICMP probe to {address}: {exc}") from exc
    finally:
        icmp_socket.close()


def parse_icmp_answer(packet: bytes, v6: bool, identifier: int, sequence: int) -> AnswerKind | None:
    """What an ICMP packet from a raw socket says about our echo request (identifier,
    sequence), or None if it is about something else. IPv4 raw sockets include the IP header;
    IPv6 ones do not."""
    if not v6:
        if len(packet) < 20:
            return None
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < 8:
        return None
    icmp_type = packet[0]
    echo_reply, time_exceeded, unreachable, echo_request = (129, 3, 1, 128) if v6 else (0, 11, 3, 8)
    if icmp_type == echo_reply:
        return "reached" if struct.unpack_from("!HH", packet, 4) == (identifier, sequence) else None
    if icmp_type not in (time_exceeded, unreachable):
        return None
    inner = packet[8:]
    header_length = 40 if v6 else ((inner[0] & 0x0F) * 4 if inner else 0)
    quoted = inner[header_length : header_length + 8]
    if len(quoted) < 8 or quoted[0] != echo_request:
        return None
    if struct.unpack_from("!HH", quoted, 4) != (identifier, sequence):
        return None
    return "time_exceeded" if icmp_type == time_exceeded else "unreachable"
