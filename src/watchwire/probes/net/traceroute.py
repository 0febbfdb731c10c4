"""Traceroute probe: the routers on the path to a host, hop by hop, with their addresses,
reverse names and round-trip times.

Each hop (hop limit 1, 2, …) gets `probes_per_hop` probes at once; the trace stops at the hop
where the destination answers, where a router says the destination is unreachable, or at
`max_hops`. Probes are UDP datagrams read back through IP_RECVERR (no privilege needed) or,
with a raw socket (root or CAP_NET_RAW), ICMP echo requests; `method="auto"` picks ICMP when
it may. The outcome is `up` when the destination was reached.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from typing import Literal

from icmplib.utils import unique_identifier
from pydantic import BaseModel, Field

from watchwire.errors import ProbeError
from watchwire.probes import targets
from watchwire.probes._target import Family, resolve_one, reverse_name
from watchwire.probes.base import ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.net._hops import HopAnswer, icmp_probe, udp_probe
from watchwire.probes.net._privilege import current_privileges
from watchwire.target_policy import IPAddress


class Options(ProbeOptions):
    max_hops: int = Field(default=30, ge=1, le=64)
    probes_per_hop: int = Field(default=3, ge=1, le=5)
    timeout: float = Field(default=2.0, gt=0, le=10, description="seconds to wait per probe")
    method: Literal["auto", "udp", "icmp"] = "auto"
    port: int = Field(default=33434, ge=1, le=65535 - 64 * 5, description="first UDP port")
    family: Family = "any"
    resolve_names: bool = True


class Hop(BaseModel):
    ttl: int
    address: str | None = None  # the address that answered most often; None: no answer
    addresses: list[str] = []  # every address that answered (load-balanced paths differ)
    name: str | None = None
    rtts_ms: list[float | None] = []  # one per probe; None: no answer
    loss_pct: float = 100.0
    best_ms: float | None = None
    avg_ms: float | None = None
    worst_ms: float | None = None


class Result(ProbeResult):
    kind: Literal["traceroute"] = "traceroute"
    host: str = ""
    address: str | None = None
    method: Literal["udp", "icmp"] = "udp"
    reached: bool = False
    hops: list[Hop] = Field(default_factory=list)


def check_target(target: str) -> str:
    """An IP address or a host name."""
    return targets.host(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    started = time.perf_counter()
    host = target.strip()
    address = await resolve_one(ctx.policy, host, options.family)
    method = _choose_method(options.method)
    identifier = unique_identifier()
    hops: list[Hop] = []
    stop: str | None = None
    for ttl in range(1, options.max_hops + 1):
        answers = await asyncio.gather(
            *(
                _send(method, address, ttl, index, identifier, options)
                for index in range(options.probes_per_hop)
            )
        )
        hops.append(_hop(ttl, answers))
        kinds = {answer.kind for answer in answers if answer is not None}
        if "reached" in kinds:
            stop = "reached"
            break
        if "unreachable" in kinds:
            stop = "unreachable"
            break
    if options.resolve_names:
        await _add_names(hops)
    result = Result(
        target=target,
        outcome="up" if stop == "reached" else "down",
        host=host,
        address=str(address),
        method=method,
        reached=stop == "reached",
        hops=hops,
        duration_ms=ms_since(started),
    )
    if stop == "unreachable":
        result.reason = f"hop {hops[-1].ttl} ({hops[-1].address}) reported {address} unreachable"
    elif stop is None:
        hops_text = f"{options.max_hops} hop{'s' * (options.max_hops != 1)}"
        result.reason = f"{address} not reached within {hops_text}"
    return result


def _choose_method(choice: Literal["auto", "udp", "icmp"]) -> Literal["udp", "icmp"]:
    has_raw = current_privileges().has_net_raw
    if choice == "auto":
        return "icmp" if has_raw else "udp"
    if choice == "icmp" and not has_raw:
        raise ProbeError(
            "ICMP traceroute needs a raw socket (root or CAP_NET_RAW); use method=udp",
            code="icmp_not_permitted",
        )
    return choice


async def _send(
    method: str, address: IPAddress, ttl: int, index: int, identifier: int, options: Options
) -> HopAnswer | None:
    sequence = (ttl - 1) * options.probes_per_hop + index
    if method == "icmp":
        return await icmp_probe(address, identifier, sequence, ttl, options.timeout)
    return await udp_probe(address, options.port + sequence, ttl, options.timeout)


def _hop(ttl: int, answers: list[HopAnswer | None]) -> Hop:
    rtts = [answer.rtt_ms if answer else None for answer in answers]
    got = [rtt for rtt in rtts if rtt is not None]
    senders = Counter(answer.address for answer in answers if answer is not None)
    hop = Hop(
        ttl=ttl,
        address=senders.most_common(1)[0][0] if senders else None,
        addresses=list(senders),
        rtts_ms=rtts,
        loss_pct=round(100 * (1 - len(got) / len(rtts)), 1),
    )
    if got:
        hop.best_ms, hop.worst_ms = min(got), max(got)
        hop.avg_ms = round(statistics.fmean(got), 3)
    return hop


async def _add_names(hops: list[Hop]) -> None:
    """Reverse names through the system resolver (so /etc/hosts counts), all at once."""
    addresses = {hop.address for hop in hops if hop.address}
    names = await asyncio.gather(*(reverse_name(address) for address in addresses))
    by_address = dict(zip(addresses, names, strict=True))
    for hop in hops:
        if hop.address:
            hop.name = by_address[hop.address]
