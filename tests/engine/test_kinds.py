"""The monitor-kind registry: every kind's check run against a real local target and read
as the engine records it, and the rules each entry carries (time limit, lease, timeout)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.engine_targets import SwitchablePort, SwitchableSite, site, tcp_port
from tests.servers.json_api import JsonApi, json_api
from tests.servers.tcps_servers import TlsService, tls_service
from tests.servers.udp_servers import UdpEcho, udp_echo
from watchwire.engine.checks import run_check
from watchwire.engine.kinds import KINDS, get_kind
from watchwire.engine.kinds.base import OVERRUN, CheckSpec
from watchwire.engine.kinds.heartbeat import Options as HeartbeatOptions
from watchwire.engine.kinds.http import KEPT_HEADERS
from watchwire.engine.scheduler import LEASE_MARGIN, lease_seconds
from watchwire.engine.ssl_watch import watched
from watchwire.errors import ValidationError
from watchwire.probes.base import ProbeContext, ProbeOptions

__all__ = ["json_api", "knot_factory", "site", "tcp_port", "tls_service", "udp_echo"]


def test_every_kind_names_a_probe_with_an_options_model() -> None:
    assert list(KINDS) == [
        "http",
        "headers",
        "tcp",
        "ping",
        "dns",
        "tcps",
        "ssl",
        "udp",
        "api",
        "heartbeat",
    ]
    for name, kind in KINDS.items():
        assert kind.name == name
        if kind.read_row is not None:
            continue  # told from outside: no probe (below)
        assert issubclass(kind.options_model(), ProbeOptions)
        assert callable(kind.probe_function())
    assert get_kind("ping").probe == "icmp"
    heartbeat = get_kind("heartbeat")
    assert heartbeat.probe is None and heartbeat.options_model() is HeartbeatOptions
    assert heartbeat.probe_options({"grace": 5}, 10.0).grace == 5
    with pytest.raises(TypeError):
        heartbeat.probe_function()
    with pytest.raises(KeyError):
        get_kind("smtp")


def test_the_monitor_timeout_becomes_the_probes_except_for_a_ping() -> None:
    assert get_kind("http").probe_options({}, 3.0).timeout == 3.0
    assert get_kind("http").probe_options({"timeout": 7}, 3.0).timeout == 7.0
    assert get_kind("ping").probe_options({}, 3.0).timeout == 2.0  # per reply: the probe's
    with pytest.raises(ValidationError) as info:
        get_kind("tcp").probe_options({"ports": "x"}, 3.0)
    assert info.value.details[0]["field"] == "options.ports"


def test_time_limits_and_leases_follow_the_kind() -> None:
    http, ping = get_kind("http"), get_kind("ping")
    spec = CheckSpec("http", "https://example.com/", {}, 10.0)
    assert http.time_limit(spec, http.probe_options({}, 10.0)) == 10.0 + OVERRUN
    options = ping.probe_options({"count": 3, "interval": 0.5, "timeout": 1}, 10.0)
    assert ping.time_limit(spec, options) == 3 * 1.5 + OVERRUN
    assert lease_seconds(10.0, "http") == 10.0 + OVERRUN + LEASE_MARGIN
    assert lease_seconds(10.0, "ping") == 4 * (10.0 + OVERRUN) + LEASE_MARGIN


def test_https_targets_of_http_kinds_and_tls_kinds_have_their_certificate_watched() -> None:
    assert {name for name, kind in KINDS.items() if kind.watches_certificate} == {
        "http",
        "headers",
        "api",
        "tcps",
        "ssl",
    }
    assert watched("headers", "https://example.com/")
    assert not watched("headers", "http://example.com/")
    assert watched("tcps", "example.com:993") and watched("ssl", "example.com")
    assert not watched("ping", "https://example.com/")


async def test_http_check_reads_status_and_phases(
    probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    result = await run_check(CheckSpec("http", site.url, {}, 5.0), probe_ctx)
    assert result.ok and result.error is None
    assert result.response_ms is not None and result.response_ms > 0
    assert {"connect", "first_byte"} <= result.phases.keys()
    assert result.details["status"] == 200
    assert result.details["timings"].keys() == result.phases.keys()
    # The kept headers only (the monitor's page shows them), lower-cased.
    assert "content-type" in result.details["headers"]
    assert set(result.details["headers"]) <= set(KEPT_HEADERS)
    site.status = 503
    failed = await run_check(CheckSpec("http", site.url, {}, 5.0), probe_ctx)
    assert not failed.ok and failed.error and "503" in failed.error


async def test_headers_check_records_the_score(
    probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    result = await run_check(CheckSpec("headers", site.url, {}, 5.0), probe_ctx)
    assert result.ok
    assert result.details["status"] == 200
    assert isinstance(result.details["score"], int) and result.details["grade"]


async def test_tcp_check_is_the_slowest_connect(
    probe_ctx: ProbeContext, tcp_port: SwitchablePort
) -> None:
    result = await run_check(CheckSpec("tcp", tcp_port.target, {}, 5.0), probe_ctx)
    assert result.ok and result.phases == {"connect": result.response_ms}
    await tcp_port.close()
    closed = await run_check(CheckSpec("tcp", tcp_port.target, {}, 5.0), probe_ctx)
    assert not closed.ok and "refused" in (closed.error or "")


async def test_ping_check_reads_round_trip_and_loss(probe_ctx: ProbeContext) -> None:
    spec = CheckSpec("ping", "127.0.0.1", {"count": 2, "interval": 0.05}, 5.0)
    result = await run_check(spec, probe_ctx)
    assert result.ok and result.response_ms is not None
    assert result.details == {"loss_pct": 0.0}


async def test_dns_check_wants_every_expected_answer(
    probe_ctx: ProbeContext, knot_factory: Callable[..., KnotServer]
) -> None:
    knot = knot_factory([Zone("kinds.test.", "www A 192.0.2.10\n")])
    options = {"type": "A", "server": knot.server}
    found = await run_check(
        CheckSpec("dns", "www.kinds.test", options, 5.0, ("192.0.2.10",)), probe_ctx
    )
    assert found.ok and found.details["answers"] == ["192.0.2.10"]
    missing = await run_check(
        CheckSpec("dns", "www.kinds.test", options, 5.0, ("192.0.2.10", "192.0.2.11")), probe_ctx
    )
    assert not missing.ok
    assert missing.error == "expected answer missing: 192.0.2.11"


async def test_every_check_says_its_last_status(
    probe_ctx: ProbeContext, site: SwitchableSite, tcp_port: SwitchablePort
) -> None:
    assert (await run_check(CheckSpec("http", site.url, {}, 5.0), probe_ctx)).status == 200
    site.status = 503
    assert (await run_check(CheckSpec("http", site.url, {}, 5.0), probe_ctx)).status == 503
    assert (await run_check(CheckSpec("tcp", tcp_port.target, {}, 5.0), probe_ctx)).status == "up"
    await tcp_port.close()
    closed = await run_check(CheckSpec("tcp", tcp_port.target, {}, 5.0), probe_ctx)
    assert closed.status == "down"
    refused = await run_check(CheckSpec("tcp", "127.0.0.1", {}, 5.0), probe_ctx)  # no port
    assert refused.status == "error" and not refused.ok


async def test_tcps_and_ssl_checks_time_connect_and_handshake(
    probe_ctx: ProbeContext, tls_service: TlsService
) -> None:
    options = {"ca_pem": tls_service.ca_pem, "server_name": "localhost"}
    for kind in ("tcps", "ssl"):
        result = await run_check(CheckSpec(kind, tls_service.target, options, 5.0), probe_ctx)
        assert result.ok and result.status == "up", result.error
        assert set(result.phases) == {"connect", "tls"}
        assert result.response_ms == pytest.approx(sum(result.phases.values()))
        assert result.details["days_left"] > 30 and result.details["trusted"] is True
        assert result.details["chain_length"] >= 1 and result.details["issuer"]
    untrusted = await run_check(CheckSpec("tcps", tls_service.target, {}, 5.0), probe_ctx)
    assert not untrusted.ok and untrusted.status == "down"
    assert untrusted.error is not None and "trusted root" in untrusted.error


async def test_udp_check_is_the_round_trip_of_a_matching_reply(
    probe_ctx: ProbeContext, udp_echo: UdpEcho
) -> None:
    options = {"payload": "ping", "keyword": "ping"}
    result = await run_check(CheckSpec("udp", udp_echo.target, options, 2.0), probe_ctx)
    assert result.ok and result.phases == {"reply": result.response_ms}
    assert result.details == {"reply_bytes": 4, "reply": "ping", "timings": result.phases}
    udp_echo.answering = False
    silent = await run_check(CheckSpec("udp", udp_echo.target, options, 0.3), probe_ctx)
    assert not silent.ok and silent.error == "no reply within 0.3 s"


async def test_api_check_records_each_assertion_and_the_http_status(
    probe_ctx: ProbeContext, json_api: JsonApi
) -> None:
    json_api.document = {"status": "ok", "depth": 3}
    options = {
        "assertions": [
            {"source": "json", "path": "$.status", "value": "ok"},
            {"source": "json", "path": "$.depth", "op": "<", "value": 10},
        ]
    }
    result = await run_check(CheckSpec("api", json_api.url, options, 5.0), probe_ctx)
    assert result.ok and result.status == 200 and "first_byte" in result.phases
    assert result.details["assertions"] == [
        {"assertion": 'json $.status == "ok"', "passed": True, "actual": "ok"},
        {"assertion": "json $.depth < 10", "passed": True, "actual": 3},
    ]
    json_api.document = {"status": "ok", "depth": 40}
    failed = await run_check(CheckSpec("api", json_api.url, options, 5.0), probe_ctx)
    assert not failed.ok and failed.status == 200
    assert failed.error == "json $.depth < 10 failed: the value is 40"


def test_targets_are_checked_by_their_kind() -> None:
    def problem(kind: str, target: str) -> str | None:
        rule = get_kind(kind).target_form
        return None if rule is None else rule.problem(target)

    assert problem("tcps", "db.example.com:5432") is None
    assert problem("tcps", "[2001:db8::1]:993") is None
    for bad in ("db.example.com", "db.example.com:0", "db.example.com:65536", "h:01", "a b:1"):
        assert problem("tcps", bad) is not None, bad
    assert problem("ssl", "example.com") is None
    assert problem("ssl", "[::1]:8443") is None
    assert problem("ssl", "https://example.com/") == (
        "expected HOST or HOST:PORT (a port from 1 to 65535; [IPv6] in brackets), "
        "got 'https://example.com/'"
    )
    assert problem("udp", "127.0.0.1:53") is None
    assert problem("udp", "127.0.0.1") is not None
    assert problem("api", "https://example.com/health?x=1#top") is None
    assert problem("api", "HTTP://example.com") is None
    for bad in ("ftp://example.com/", "https://", "https://exa mple.com/", "example.com"):
        assert problem("api", bad) is not None, bad
    assert problem("http", "anything at all") is None  # the http probe judges its own


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_every_target_a_rule_pattern_describes_passes_the_rule(data: st.DataObject) -> None:
    for rule in {kind.target_form for kind in KINDS.values()} - {None}:
        assert rule is not None
        target = data.draw(st.from_regex(rule.schema_pattern, fullmatch=True))
        assert rule.problem(target) is None, target
