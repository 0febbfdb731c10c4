"""The dns probe against a real knotd: record types, flags, TTLs, truncation, failures."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import cast

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pydantic
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.servers.dns_servers import (
    DnssecTree,
    KnotServer,
    Zone,
    dnssec_tree,
    knot_factory,
)
from watchwire.cli import check_dns
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.dns import dns as dns_probe
from watchwire.probes.dns.transport import format_server, parse_server
from watchwire.target_policy import TargetPolicy

__all__ = ["dnssec_tree", "knot_factory"]  # fixtures used by name below


def options(tree: DnssecTree, **kwargs: object) -> dns_probe.Options:
    return dns_probe.Options(server=tree.server, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("www.good.watchwire.test", "A", "127.0.0.1"),
        ("www.good.watchwire.test", "AAAA", "::1"),
        ("alias.good.watchwire.test", "CNAME", "www.good.watchwire.test."),
        ("good.watchwire.test", "MX", "10 mail.good.watchwire.test."),
        ("good.watchwire.test", "NS", "ns.watchwire.test."),
        ("good.watchwire.test", "TXT", '"v=spf1 -all"'),
        ("good.watchwire.test", "CAA", '0 issue "letsencrypt.org"'),
        ("_sip._tcp.good.watchwire.test", "SRV", "10 5 5060 www.good.watchwire.test."),
        ("127.0.0.1", "PTR", "localhost.watchwire.test."),
        ("good.watchwire.test", "HTTPS", '1 . alpn="h2,h3"'),
        ("_svc.good.watchwire.test", "SVCB", '1 www.good.watchwire.test. port="8443"'),
        (
            "_443._tcp.www.good.watchwire.test",
            "TLSA",
            "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
    ],
)
async def test_each_record_type_comes_back_in_presentation_format(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, name: str, rdtype: str, expected: str
) -> None:
    result = await dns_probe.probe(name, options(dnssec_tree, type=rdtype), probe_ctx)

    assert result.outcome == "up", result.reason
    assert [(a.type, a.value) for a in result.answers] == [(rdtype, expected)]
    assert result.answers[0].ttl == 300
    assert result.rcode == "NOERROR"
    assert result.server == dnssec_tree.server


@pytest.mark.parametrize("rdtype", ["SOA", "DS", "DNSKEY"])
async def test_zone_records_match_what_the_server_holds(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext, rdtype: str
) -> None:
    expected = dnssec_tree.knot.query("good.watchwire.test.", rdtype).answer
    values = sorted(r.to_text() for rrset in expected if rrset.rdtype != 46 for r in rrset)

    result = await dns_probe.probe(
        "good.watchwire.test", options(dnssec_tree, type=rdtype), probe_ctx
    )

    assert sorted(a.value for a in result.answers) == values
    assert values  # the zone really has them


async def test_reports_flags_timing_and_the_json_shape(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe("www.good.watchwire.test", options(dnssec_tree), probe_ctx)

    assert result.flags is not None
    assert result.flags.aa  # knot is authoritative for the zone
    assert not result.flags.tc
    assert result.time_ms is not None and result.time_ms > 0
    data = result.to_json()
    assert data["kind"] == "dns"
    assert data["answers"][0] == {
        "name": "www.good.watchwire.test.",
        "type": "A",
        "ttl": 300,
        "value": "127.0.0.1",
    }
    assert data["dnssec"] is None


async def test_a_cname_is_followed_inside_the_answer(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe("alias.good.watchwire.test", options(dnssec_tree), probe_ctx)

    assert [(a.type, a.value) for a in result.answers] == [
        ("CNAME", "www.good.watchwire.test."),
        ("A", "127.0.0.1"),
    ]


async def test_missing_name_and_missing_type_are_down(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    missing = await dns_probe.probe("nope.good.watchwire.test", options(dnssec_tree), probe_ctx)
    no_mx = await dns_probe.probe(
        "www.good.watchwire.test", options(dnssec_tree, type="MX"), probe_ctx
    )

    assert (missing.outcome, missing.rcode) == ("down", "NXDOMAIN")
    assert missing.authority[0].type == "SOA"  # negative TTL source
    assert (no_mx.outcome, no_mx.rcode) == ("down", "NOERROR")
    assert no_mx.reason == "www.good.watchwire.test. has no MX record"


async def test_truncated_answer_is_retried_over_tcp(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe(
        "big.good.watchwire.test", options(dnssec_tree, type="TXT"), probe_ctx
    )
    without = await dns_probe.probe(
        "big.good.watchwire.test", options(dnssec_tree, type="TXT", tcp_fallback=False), probe_ctx
    )

    assert result.tcp and len(result.answers) == 12
    assert result.flags is not None and not result.flags.tc
    assert not without.tcp and without.flags is not None and without.flags.tc
    assert len(without.answers) < 12


async def test_tcp_can_be_asked_for_from_the_start(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe(
        "www.good.watchwire.test", options(dnssec_tree, tcp=True), probe_ctx
    )

    assert result.tcp and result.answers[0].value == "127.0.0.1"


async def test_a_zone_the_server_does_not_serve_is_refused(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe("example.com", options(dnssec_tree), probe_ctx)

    assert (result.outcome, result.rcode) == ("down", "REFUSED")


async def test_ipv6_server(
    knot_factory: Callable[..., KnotServer], probe_ctx: ProbeContext
) -> None:
    knot = knot_factory([Zone("v6.test.", "www AAAA 2001:db8::1\n")], host="::1")

    result = await dns_probe.probe(
        "www.v6.test", dns_probe.Options(type="AAAA", server=knot.server), probe_ctx
    )

    assert result.server == f"[::1]:{knot.port}"
    assert result.answers[0].value == "2001:db8::1"


async def test_a_changed_zone_is_seen_after_reload(
    knot_factory: Callable[..., KnotServer], probe_ctx: ProbeContext
) -> None:
    knot = knot_factory([Zone("change.test.", "www A 192.0.2.1\n", signing="nsec")])
    opts = dns_probe.Options(server=knot.server)
    before = await dns_probe.probe("www.change.test", opts, probe_ctx)

    knot.serve(Zone("change.test.", "www A 192.0.2.2\n", signing="nsec"))
    after = await dns_probe.probe("www.change.test", opts, probe_ctx)

    assert before.answers[0].value == "192.0.2.1"
    assert after.answers[0].value == "192.0.2.2"


async def test_the_configured_resolver_is_the_default_server(
    dnssec_tree: DnssecTree,
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), resolver=dnssec_tree.knot.address)

    result = await dns_probe.probe("www.good.watchwire.test", dns_probe.Options(), ctx)

    assert result.server == dnssec_tree.server
    assert result.answers[0].value == "127.0.0.1"


async def test_a_named_server_must_pass_the_target_policy(dnssec_tree: DnssecTree) -> None:
    with pytest.raises(TargetNotAllowed):
        await dns_probe.probe("www.good.watchwire.test", options(dnssec_tree), ProbeContext())


# --- servers that misbehave ----------------------------------------------------------------


class _MisbehavingServer(asyncio.DatagramProtocol):
    """Answers every query first with a reply carrying the wrong id, then the real one —
    or never, when `silent`."""

    def __init__(self, silent: bool) -> None:
        self.silent = silent
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self.silent or self.transport is None:
            return
        query = dns.message.from_wire(data)
        answer = dns.message.make_response(query)
        answer.answer.append(
            dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "192.0.2.7")
        )
        forged = dns.message.make_response(query)
        forged.id = (query.id + 1) % 65536
        forged.answer.append(
            dns.rrset.from_text(query.question[0].name, 60, "IN", "A", "203.0.113.66")
        )
        self.transport.sendto(forged.to_wire(), addr)
        self.transport.sendto(answer.to_wire(), addr)


async def _udp_server(silent: bool) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _MisbehavingServer(silent), local_addr=("127.0.0.1", 0), family=socket.AF_INET
    )
    try:
        yield f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"
    finally:
        transport.close()


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    async for address in _udp_server(silent=True):
        yield address


@pytest.fixture
async def forging_server() -> AsyncIterator[str]:
    async for address in _udp_server(silent=False):
        yield address


async def test_a_reply_with_the_wrong_id_is_ignored(
    forging_server: str, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe(
        "www.example.test", dns_probe.Options(server=forging_server), probe_ctx
    )

    assert [a.value for a in result.answers] == ["192.0.2.7"]


async def test_a_silent_server_is_an_error_after_the_timeout(
    silent_server: str, probe_ctx: ProbeContext
) -> None:
    result = await dns_probe.probe(
        "www.example.test", dns_probe.Options(server=silent_server, timeout=0.3), probe_ctx
    )

    assert result.outcome == "error"
    assert result.reason == f"no answer from {silent_server} within 0.3s"


# --- the lookup other probes use -----------------------------------------------------------


async def test_resolve_rrset_follows_cnames_and_reports_absence(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    server = dnssec_tree.server
    direct = await dns_probe.resolve_rrset("www.good.watchwire.test", "A", probe_ctx, server)
    aliased = await dns_probe.resolve_rrset("alias.good.watchwire.test", "A", probe_ctx, server)
    missing = await dns_probe.resolve_rrset("nope.good.watchwire.test", "A", probe_ctx, server)
    no_type = await dns_probe.resolve_rrset("www.good.watchwire.test", "MX", probe_ctx, server)

    assert direct is not None and [r.to_text() for r in direct] == ["127.0.0.1"]
    assert aliased is not None and aliased.name == dns.name.from_text("www.good.watchwire.test")
    assert missing is None and no_type is None


async def test_resolve_rrset_raises_when_the_server_refuses(
    dnssec_tree: DnssecTree, probe_ctx: ProbeContext
) -> None:
    with pytest.raises(ProbeError, match="REFUSED"):
        await dns_probe.resolve_rrset("example.com", "A", probe_ctx, dnssec_tree.server)


# --- options and names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [{"type": "ANY"}, {"server": "host:99999"}, {"timeout": 0}, {"retries": 3}],
)
def test_bad_options_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        dns_probe.Options(**bad)  # type: ignore[arg-type]


def test_ptr_of_an_ipv6_address_builds_the_ip6_arpa_name() -> None:
    assert (
        dns_probe.query_name("2001:db8::1", "PTR").to_text().endswith(".8.b.d.0.1.0.0.2.ip6.arpa.")
    )
    assert dns_probe.query_name("192.0.2.1", "PTR").to_text() == "1.2.0.192.in-addr.arpa."


@pytest.mark.parametrize("bad", ["a..b", "x" * 64 + ".test", "."])
def test_a_target_that_is_not_a_name_cannot_be_probed(bad: str) -> None:
    with pytest.raises(ProbeError):
        dns_probe.query_name(bad, "A")


hosts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True),
)


@given(host=hosts, port=st.integers(1, 65535))
def test_server_addresses_round_trip(host: str, port: int) -> None:
    assert parse_server(format_server((host, port))) == (host, port)


def test_a_bare_server_means_port_53() -> None:
    assert parse_server("192.0.2.53") == ("192.0.2.53", 53)
    assert parse_server("2001:db8::53") == ("2001:db8::53", 53)


# --- the CLI -------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("dns")(check_dns.command)
    app.command("other")(lambda: None)  # two commands keep "dns" as a subcommand name
    return app


def test_cli_prints_the_records_and_the_dnssec_verdict(dnssec_tree: DnssecTree) -> None:
    result = CliRunner().invoke(
        _cli(),
        [
            "dns",
            "good.watchwire.test",
            "--type",
            "mx",
            "--server",
            dnssec_tree.server,
            "--dnssec",
            "--trust-anchor",
            str(dnssec_tree.anchor_file),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "10 mail.good.watchwire.test." in result.output
    assert "DNSSEC secure (chain)" in result.output


def test_cli_json_and_errors(dnssec_tree: DnssecTree) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        _cli(), ["dns", "www.good.watchwire.test", "--server", dnssec_tree.server, "--json"]
    )
    bad_type = runner.invoke(_cli(), ["dns", "example.test", "--type", "BOGUS"])

    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["answers"][0]["value"] == "127.0.0.1"
    assert bad_type.exit_code == 1
    assert "type" in bad_type.output


async def test_a_closed_port_is_an_error_result(probe_ctx: ProbeContext) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{sock.getsockname()[1]}"

    result = await dns_probe.probe(
        "www.example.test", dns_probe.Options(server=closed, timeout=2), probe_ctx
    )

    assert result.outcome == "error"
    assert result.reason is not None and result.reason.startswith(f"cannot query {closed}")
