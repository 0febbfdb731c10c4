"""ICMP echo (ping) probe: round-trip times and packet loss, IPv4 and IPv6, through icmplib.

Raw sockets are used when the process may open them (root or CAP_NET_RAW); otherwise the
Linux unprivileged datagram socket, which `net.ipv4.ping_group_range` must allow for one of
the process's groups. When neither is allowed the probe raises a ProbeError that says how to
enable one. The outcome is `up` when at least one reply came back; partial loss is a finding.
"""

from __future__ import annotations

import statistics
import time
from typing import Literal

from icmplib import ICMPLibError, SocketPermissionError, async_ping
from pydantic import Field

from watchwire.errors import ProbeError
from watchwire.probes import targets
from watchwire.probes._target import Family, resolve_one
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.net._privilege import (
    HOW_TO_ENABLE,
    SocketChoice,
    SocketKind,
    choose_socket,
    current_privileges,
)


class Options(ProbeOptions):
    count: int = Field(default=4, ge=1, le=10)
    interval: float = Field(default=1.0, ge=0.05, le=10, description="seconds between requests")
    timeout: float = Field(default=2.0, gt=0, le=30, description="seconds to wait per reply")
    payload_size: int = Field(default=56, ge=0, le=1400)
    family: Family = "any"
    socket: SocketChoice = "auto"


class Result(ProbeResult):
    kind: Literal["icmp"] = "icmp"
    host: str = ""
    address: str | None = None
    socket: SocketKind | None = None
    packets_sent: int = 0
    packets_received: int = 0
    loss_pct: float = 100.0
    rtt_min_ms: float | None = None
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    rtt_stddev_ms: float | None = None
    rtts_ms: list[float] = Field(default_factory=list)


def check_target(target: str) -> str:
    """An IP address or a host name."""
    return targets.host(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    started = time.perf_counter()
    host = target.strip()
    address = await resolve_one(ctx.policy, host, options.family)
    kind = choose_socket(options.socket, current_privileges())
    try:
        reply = await async_ping(
            str(address),
            count=options.count,
            interval=options.interval,
            timeout=options.timeout,
            privileged=kind == "raw",
            payload_size=options.payload_size,
        )
    except SocketPermissionError as exc:
        raise ProbeError(
            f"the kernel refused a {kind} ICMP socket: {HOW_TO_ENABLE}", code="icmp_not_permitted"
        ) from exc
    except ICMPLibError as exc:
        raise ProbeError(f"cannot ping {address}: {exc}") from exc
    rtts = [round(rtt, 3) for rtt in reply.rtts]
    result = Result(
        target=target,
        outcome="up" if rtts else "down",
        host=host,
        address=str(address),
        socket=kind,
        packets_sent=reply.packets_sent,
        packets_received=reply.packets_received,
        loss_pct=round(reply.packet_loss * 100, 2),
        rtts_ms=rtts,
        duration_ms=ms_since(started),
    )
    if rtts:
        result.rtt_min_ms = min(rtts)
        result.rtt_avg_ms = round(statistics.fmean(rtts), 3)
        result.rtt_max_ms = max(rtts)
        result.rtt_stddev_ms = round(statistics.pstdev(rtts), 3)
    if not rtts:
        result.reason = f"no reply to {reply.packets_sent} echo requests"
    elif reply.packets_received < reply.packets_sent:
        result.findings.append(
            Finding(
                code="packet_loss",
                severity="warning",
                message=f"{result.loss_pct:g}% of echo requests got no reply",
                details={"sent": reply.packets_sent, "received": reply.packets_received},
            )
        )
    return result
