"""The ping probe: raw sockets as root on loopback, and the unprivileged datagram path for real
in a network namespace of its own, run without CAP_NET_RAW."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.servers.tcp_servers import run_in_netns
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.net._privilege import (
    Privileges,
    choose_socket,
    current_privileges,
    datagram_allowed,
)
from watchwire.probes.net.icmp import Options, probe

# Raw ICMP sockets, network namespaces and sysctls inside them: the suite runs as root.
pytestmark = pytest.mark.root

FAST = {"count": 3, "interval": 0.05, "timeout": 2.0}

# Pings 127.0.0.1 from inside a namespace and prints the result (or the error) as JSON.
PING_SCRIPT = """
import asyncio, json
from watchwire.errors import ProbeError
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.icmp import Options, probe
from watchwire.target_policy import TargetPolicy
ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
try:
    result = asyncio.run(probe("127.0.0.1", Options(count=2, interval=0.05, timeout=1), ctx))
    print(json.dumps(result.to_json()))
except ProbeError as exc:
    print(json.dumps({"error": exc.message, "code": exc.code}))
"""


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
async def test_loopback_answers_every_echo(host: str, probe_ctx: ProbeContext) -> None:
    result = await probe(host, Options(**FAST), probe_ctx)
    assert result.outcome == "up"
    assert result.socket == "raw"  # the suite runs as root
    assert (result.packets_sent, result.packets_received, result.loss_pct) == (3, 3, 0.0)
    assert len(result.rtts_ms) == 3
    assert result.rtt_min_ms is not None and result.rtt_max_ms is not None
    assert 0 < result.rtt_min_ms <= (result.rtt_avg_ms or 0) <= result.rtt_max_ms < 1000
    assert result.rtt_stddev_ms is not None and result.rtt_stddev_ms >= 0
    assert result.findings == []


async def test_name_resolves_and_family_is_honoured(probe_ctx: ProbeContext) -> None:
    result = await probe("localhost", Options(**FAST, family="ipv4"), probe_ctx)
    assert result.address == "127.0.0.1"
    assert result.host == "localhost"


async def test_policy_refuses_loopback_by_default() -> None:
    with pytest.raises(TargetNotAllowed):
        await probe("127.0.0.1", Options(**FAST), ProbeContext())


def test_unprivileged_socket_is_used_where_ping_group_range_allows() -> None:
    done = run_in_netns(
        PING_SCRIPT,
        sysctls={"net.ipv4.ping_group_range": "0 2147483647"},
        drop_net_raw=True,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["socket"] == "datagram"
    assert result["outcome"] == "up"
    assert result["packets_received"] == 2


def test_without_any_privilege_the_error_says_how_to_enable() -> None:
    done = run_in_netns(PING_SCRIPT, drop_net_raw=True)  # Debian's default range "1 0"
    assert done.returncode == 0, done.stderr
    error = json.loads(done.stdout)
    assert error["code"] == "icmp_not_permitted"
    assert 'sysctl -w net.ipv4.ping_group_range="0 2147483647"' in error["error"]
    assert "CAP_NET_RAW" in error["error"]


def test_host_that_ignores_echo_is_down() -> None:
    done = run_in_netns(PING_SCRIPT, sysctls={"net.ipv4.icmp_echo_ignore_all": "1"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["outcome"] == "down"
    assert result["loss_pct"] == 100.0
    assert result["rtt_avg_ms"] is None
    assert result["reason"] == "no reply to 2 echo requests"


async def test_forcing_datagram_where_it_is_off_is_a_probe_error(
    probe_ctx: ProbeContext,
) -> None:
    if datagram_allowed(current_privileges()):
        pytest.fail("this test expects the default ping_group_range (unprivileged ping off)")
    with pytest.raises(ProbeError, match="ping_group_range"):
        await probe("127.0.0.1", Options(**FAST, socket="datagram"), probe_ctx)


ROOT = Privileges(has_net_raw=True, group_ids=frozenset({0}), ping_group_range="1\t0\n")
USER = Privileges(has_net_raw=False, group_ids=frozenset({1000, 27}), ping_group_range="1\t0\n")


def test_decision_prefers_raw_when_allowed() -> None:
    assert choose_socket("auto", ROOT) == "raw"
    open_range = Privileges(True, frozenset({0}), "0\t2147483647\n")
    assert choose_socket("auto", open_range) == "raw"
    assert choose_socket("datagram", open_range) == "datagram"


def test_decision_uses_datagram_for_a_group_in_range() -> None:
    user = Privileges(False, frozenset({1000, 27}), "100\t1000\n")
    assert choose_socket("auto", user) == "datagram"
    with pytest.raises(ProbeError, match="CAP_NET_RAW"):
        choose_socket("raw", user)


def test_decision_refuses_with_instructions() -> None:
    with pytest.raises(ProbeError, match="ping_group_range") as caught:
        choose_socket("auto", USER)
    assert caught.value.code == "icmp_not_permitted"
    unreadable = Privileges(False, frozenset({0}), None)
    with pytest.raises(ProbeError):
        choose_socket("auto", unreadable)


@given(
    low=st.integers(0, 2**31 - 1),
    high=st.integers(0, 2**31 - 1),
    gids=st.frozensets(st.integers(0, 2**31 - 1), min_size=1, max_size=5),
)
def test_datagram_allowed_matches_the_range(low: int, high: int, gids: frozenset[int]) -> None:
    privileges = Privileges(False, gids, f"{low}\t{high}\n")
    assert datagram_allowed(privileges) == any(low <= gid <= high for gid in gids)


def test_options_follow_enterno_limits() -> None:
    with pytest.raises(ValidationError):
        Options(count=11)
    with pytest.raises(ValidationError):
        Options(count=0)
    assert Options().count == 4
