"""Traceroute: one hop to loopback by both methods, and a real two-hop path through a router
built from network namespaces."""

from __future__ import annotations

import json
import struct

import pytest
import uvloop
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.tcp_servers import RoutedPath, routed_path
from watchwire.errors import TargetNotAllowed
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.net._hops import parse_extended_error, parse_icmp_answer
from watchwire.probes.net.traceroute import Options, probe

# Raw ICMP sockets, network namespaces and sysctls inside them: the suite runs as root.
pytestmark = pytest.mark.root

__all__ = ["routed_path"]

FAST = {"timeout": 2.0, "max_hops": 5}


@pytest.mark.parametrize("method", ["udp", "icmp"])
async def test_ipv4_loopback_is_one_hop_with_name_from_hosts_file(
    method: str, probe_ctx: ProbeContext
) -> None:
    result = await probe("127.0.0.1", Options(**FAST, method=method), probe_ctx)  # type: ignore[arg-type]
    assert result.outcome == "up"
    assert result.reached
    assert result.method == method
    [hop] = result.hops
    assert hop.ttl == 1
    assert hop.address == "127.0.0.1"
    assert hop.name == "localhost"  # /etc/hosts, through the system resolver
    assert hop.loss_pct == 0.0
    assert len(hop.rtts_ms) == 3 and all(rtt is not None and rtt >= 0 for rtt in hop.rtts_ms)
    assert hop.best_ms is not None and hop.worst_ms is not None
    assert hop.best_ms <= (hop.avg_ms or 0) <= hop.worst_ms


@pytest.mark.parametrize("method", ["udp", "icmp"])
async def test_ipv6_loopback_is_one_hop(method: str, probe_ctx: ProbeContext) -> None:
    options = Options(**FAST, method=method, resolve_names=False)  # type: ignore[arg-type]
    result = await probe("::1", options, probe_ctx)
    assert result.reached
    assert [hop.address for hop in result.hops] == ["::1"]
    assert result.hops[0].name is None  # not asked for


async def test_auto_uses_icmp_as_root(probe_ctx: ProbeContext) -> None:
    result = await probe("127.0.0.1", Options(**FAST, probes_per_hop=1), probe_ctx)
    assert result.method == "icmp"
    assert len(result.hops[0].rtts_ms) == 1


@pytest.mark.parametrize("method", ["udp", "icmp"])
def test_works_on_uvloop(method: str, probe_ctx: ProbeContext) -> None:
    # The CLI and the service run on uvloop, whose poll handles report socket errors
    # differently from asyncio's selector loop; the UDP method depends on them.
    options = Options(**FAST, method=method, resolve_names=False)  # type: ignore[arg-type]
    result = uvloop.run(probe("127.0.0.1", options, probe_ctx))
    assert result.reached


async def test_policy_refuses_loopback_by_default() -> None:
    with pytest.raises(TargetNotAllowed):
        await probe("127.0.0.1", Options(**FAST), ProbeContext())


def test_registered() -> None:
    assert get_probe("traceroute") == (probe, Options)


TRACE_SCRIPT = """
import asyncio, json, sys
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.traceroute import Options, probe
from watchwire.target_policy import TargetPolicy
ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
out = []
for target, method, max_hops in json.loads(sys.argv[1] if len(sys.argv) > 1 else {jobs!r}):
    options = Options(method=method, max_hops=max_hops, timeout=2, resolve_names=False)
    out.append(asyncio.run(probe(target, options, ctx)).to_json())
print(json.dumps(out))
"""


def _trace(path: RoutedPath, jobs: list[tuple[str, str, int]]) -> list[dict[str, object]]:
    done = path.run(TRACE_SCRIPT.format(jobs=json.dumps(jobs)))
    assert done.returncode == 0, done.stderr
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


def _hop_addresses(result: dict[str, object]) -> list[object]:
    hops = result["hops"]
    assert isinstance(hops, list)
    return [hop["address"] for hop in hops]


def test_two_hops_through_a_router(routed_path: RoutedPath) -> None:
    jobs = [
        (routed_path.destination_v4, "udp", 8),
        (routed_path.destination_v4, "icmp", 8),
        (routed_path.destination_v6, "udp", 8),
        (routed_path.destination_v6, "icmp", 8),
    ]
    results = _trace(routed_path, jobs)
    for (destination, method, _), result in zip(jobs, results, strict=True):
        router = routed_path.router_v6 if ":" in destination else routed_path.router_v4
        assert result["method"] == method
        assert result["reached"] is True, result
        assert _hop_addresses(result) == [router, destination], result


def test_unroutable_destination_and_hop_limit(routed_path: RoutedPath) -> None:
    unrouted, too_far = _trace(
        routed_path,
        [(routed_path.unrouted_v4, "udp", 8), (routed_path.destination_v4, "udp", 1)],
    )
    # The router has no route: it answers "network unreachable" at hop 1 and the trace stops.
    assert unrouted["outcome"] == "down"
    assert _hop_addresses(unrouted) == [routed_path.router_v4]
    assert "unreachable" in str(unrouted["reason"])
    # One hop is not enough to get past the router.
    assert too_far["outcome"] == "down"
    assert too_far["reached"] is False
    assert _hop_addresses(too_far) == [routed_path.router_v4]
    assert str(too_far["reason"]).endswith("not reached within 1 hop")


def _extended_error_v4(origin: int, icmp_type: int, code: int, offender: bytes) -> bytes:
    header = struct.pack("=IBBBBII", 113, origin, icmp_type, code, 0, 0, 0)
    return header + struct.pack("=HH4s8x", 2, 0, offender)


def test_parse_extended_error() -> None:
    router = bytes([192, 0, 2, 1])
    assert parse_extended_error(_extended_error_v4(2, 11, 0, router)) == (
        "192.0.2.1",
        "time_exceeded",
    )
    assert parse_extended_error(_extended_error_v4(2, 3, 3, router))[1] == "reached"  # type: ignore[index]
    assert parse_extended_error(_extended_error_v4(2, 3, 13, router))[1] == "unreachable"  # type: ignore[index]
    assert parse_extended_error(_extended_error_v4(1, 0, 0, router)) is None  # local error


@given(st.binary(max_size=120), st.booleans())
def test_icmp_parser_never_crashes_on_garbage(packet: bytes, v6: bool) -> None:
    assert parse_icmp_answer(packet, v6, 1234, 5) in (
        None,
        "reached",
        "time_exceeded",
        "unreachable",
    )


@given(st.binary(max_size=60))
def test_extended_error_parser_never_crashes_on_garbage(data: bytes) -> None:
    parse_extended_error(data)
