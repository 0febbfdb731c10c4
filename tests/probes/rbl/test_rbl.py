"""The rbl probe against a real rbldnsd on loopback, serving zones named like the catalogue's
lists (rbldnsd answers authoritatively for whatever zone it is given)."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.rbldnsd import RbldnsdFactory, RbldnsdServer, rbldnsd_factory
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl.query import (
    expand_hosts,
    parse_target,
    query_name,
    target_from_query_name,
)
from watchwire.probes.rbl.rbl import ListResult, Options, Result, check_hosts, probe

__all__ = ["rbldnsd_factory"]

ZONES = {
    "zen.spamhaus.org": [
        (
            "ip4set",
            [
                ":127.0.0.2:Listed in SBL, see https://check.spamhaus.org/query/ip/$",
                "192.0.2.1",
                "192.0.2.2 :127.0.0.4:Exploited host",
                "192.0.2.3 :127.0.0.10:",
                "192.0.2.4 :127.255.255.254:Public resolver",
                "192.0.2.5 :10.1.2.3:",
                "192.0.2.6 :127.0.0.77:odd",
            ],
        ),
        ("ip6trie", ["2001:db8::25 :127.0.0.3:Snowshoe v6"]),
    ],
    "dbl.spamhaus.org": (
        "dnset",
        [
            "dbltest.com :127.0.1.2:DBL test point",
            "spammy.example :127.0.1.2:Low reputation domain $",
            "phish.example :127.0.1.4:",
        ],
    ),
    "multi.uribl.com": (
        "dnset",
        ["test.uribl.com :127.0.0.14:", "bulk.example :127.0.0.6:black and grey"],
    ),
    "list.dnswl.org": ("ip4set", ["192.0.2.50 :127.0.10.3:"]),
    "custom.test": (
        "ip4set",
        ["192.0.2.1 :127.0.0.3:policy", "192.0.2.7 :127.0.0.5:spam trap"],
    ),
    "refused.test": [("ip4set", ["192.0.2.1"]), ("acl", ["127.0.0.0/8 :refuse"])],
    "silent.test": [("ip4set", ["192.0.2.1"]), ("acl", ["127.0.0.0/8 :ignore"])],
}


@pytest.fixture
def server(rbldnsd_factory: RbldnsdFactory) -> RbldnsdServer:
    return rbldnsd_factory(ZONES)


@pytest.fixture
def ctx(server: RbldnsdServer, probe_ctx: ProbeContext) -> ProbeContext:
    """The operator's WATCHWIRE_RESOLVER pointing at rbldnsd."""
    return dataclasses.replace(probe_ctx, resolver=(server.host, server.port))


def by_zone(result: Result) -> dict[str, ListResult]:
    return {entry.zone: entry for entry in result.lists}


async def check(target: str, ctx: ProbeContext, *zones: str, **options: object) -> Result:
    return await probe(target, Options(lists=list(zones), **options), ctx)  # type: ignore[arg-type]


async def test_listed_ipv4_keeps_return_code_meaning_and_txt_reason(ctx: ProbeContext) -> None:
    result = await check("192.0.2.1", ctx, "zen.spamhaus.org")
    entry = result.lists[0]
    assert entry.status == "listed"
    assert entry.return_codes == ["127.0.0.2"]
    assert entry.meanings == ["SBL: direct spam source or spam operation"]
    assert entry.reason == "Listed in SBL, see https://check.spamhaus.org/query/ip/192.0.2.1"
    assert entry.query == "1.2.0.192.zen.spamhaus.org"
    assert entry.delisting_url == "https://check.spamhaus.org/"
    assert (result.outcome, result.listed, result.total) == ("down", 1, 1)
    assert result.reason == "listed on 1 of 1 blocklists: zen.spamhaus.org"
    assert [f.code for f in result.findings] == ["rbl_listed"]


async def test_other_return_codes_are_decoded(ctx: ProbeContext) -> None:
    exploited = (await check("192.0.2.2", ctx, "zen.spamhaus.org")).lists[0]
    assert exploited.meanings == ["XBL: exploited or infected host (includes the former CBL)"]
    pbl = (await check("192.0.2.3", ctx, "zen.spamhaus.org")).lists[0]
    assert pbl.status == "listed" and pbl.return_codes == ["127.0.0.10"]
    assert pbl.reason is None  # the list published no TXT for it
    odd = (await check("192.0.2.6", ctx, "zen.spamhaus.org")).lists[0]
    assert odd.status == "listed" and odd.meanings == []
    assert odd.note == "undocumented return code 127.0.0.77"


async def test_not_listed_address(ctx: ProbeContext) -> None:
    result = await check("198.51.100.9", ctx, "zen.spamhaus.org", "custom.test")
    assert [e.status for e in result.lists] == ["not_listed", "not_listed"]
    assert (result.outcome, result.listed, result.findings) == ("up", 0, [])


async def test_listed_ipv6_uses_nibble_names(ctx: ProbeContext) -> None:
    result = await check("2001:db8::25", ctx, "zen.spamhaus.org")
    entry = result.lists[0]
    assert result.target_type == "rbl_v6" and entry.type == "rbl_v6"
    assert entry.status == "listed" and entry.reason == "Snowshoe v6"
    assert entry.query is not None and entry.query.startswith("5.2.0.0.0.0.0.0.")
    assert entry.query.endswith(".8.b.d.0.1.0.0.2.zen.spamhaus.org")


async def test_listed_domain_on_domain_lists(ctx: ProbeContext) -> None:
    result = await check("Spammy.Example.", ctx, "dbl.spamhaus.org", "multi.uribl.com")
    dbl, uribl = by_zone(result)["dbl.spamhaus.org"], by_zone(result)["multi.uribl.com"]
    assert result.target == "spammy.example" and result.target_type == "uribl"
    assert dbl.status == "listed" and dbl.reason == "Low reputation domain spammy.example"
    assert uribl.status == "not_listed"
    bulk = by_zone(await check("bulk.example", ctx, "multi.uribl.com"))["multi.uribl.com"]
    assert bulk.meanings == [
        "black: domain used by spammers; grey: domain seen in bulk mail (may be legitimate)"
    ]


async def test_custom_codes_restrict_what_counts(ctx: ProbeContext) -> None:
    codes = {"custom.test": ["127.0.0.5"]}
    ignored = (await check("192.0.2.1", ctx, "custom.test", custom_codes=codes)).lists[0]
    assert ignored.status == "not_listed"
    assert ignored.note == "answered 127.0.0.3, which is not one of the custom codes 127.0.0.5"
    counted = (await check("192.0.2.7", ctx, "custom.test", custom_codes=codes)).lists[0]
    assert counted.status == "listed" and counted.custom and counted.reason == "spam trap"
    without = (await check("192.0.2.1", ctx, "custom.test")).lists[0]
    assert without.status == "listed" and without.return_codes == ["127.0.0.3"]


async def test_refusal_code_is_blocked_never_listed(ctx: ProbeContext) -> None:
    result = await check("192.0.2.4", ctx, "zen.spamhaus.org")
    entry = result.lists[0]
    assert entry.status == "blocked"
    assert entry.note is not None and "public/open resolver" in entry.note
    assert (result.outcome, result.listed) == ("error", 0)
    assert [f.code for f in result.findings] == ["rbl_query_refused"]


async def test_answer_outside_loopback_is_blocked(ctx: ProbeContext) -> None:
    entry = (await check("192.0.2.5", ctx, "zen.spamhaus.org")).lists[0]
    assert entry.status == "blocked" and entry.return_codes == ["10.1.2.3"]
    assert entry.note is not None and "outside 127.0.0.0/8" in entry.note


async def test_ip_query_on_a_domain_list_is_refused_by_code(
    rbldnsd_factory: RbldnsdFactory, probe_ctx: ProbeContext
) -> None:
    # DBL answers 127.0.1.255 to an IP query; here a custom server answers it for a domain.
    server = rbldnsd_factory({"dbl.spamhaus.org": ("dnset", ["oops.example :127.0.1.255:"])})
    ctx = dataclasses.replace(probe_ctx, resolver=(server.host, server.port))
    entry = (await check("oops.example", ctx, "dbl.spamhaus.org")).lists[0]
    assert entry.status == "blocked" and entry.note is not None and "wrong query" in entry.note


async def test_refused_rcode_is_an_error(ctx: ProbeContext) -> None:
    entry = (await check("192.0.2.1", ctx, "refused.test")).lists[0]
    assert entry.status == "error" and entry.note is not None and entry.note.startswith("REFUSED")
    assert entry.health is not None and entry.health.status == "unreachable"


async def test_silent_list_is_unknown_not_unlisted(ctx: ProbeContext) -> None:
    result = await check("192.0.2.1", ctx, "silent.test", "zen.spamhaus.org", timeout=1.0)
    silent = by_zone(result)["silent.test"]
    assert silent.status == "unknown" and silent.note == "no answer within 1 s"
    assert by_zone(result)["zen.spamhaus.org"].status == "listed"
    assert "rbl_no_answer" in [f.code for f in result.findings]


async def test_dead_resolver_gives_unknown(probe_ctx: ProbeContext) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = dataclasses.replace(probe_ctx, resolver=("127.0.0.1", port))
    result = await check("192.0.2.1", ctx, "zen.spamhaus.org", timeout=1.0)
    assert result.lists[0].status == "unknown"
    assert result.outcome == "error" and result.listed == 0


async def test_list_that_cannot_answer_this_target_kind(ctx: ProbeContext) -> None:
    entry = (await check("spammy.example", ctx, "zen.spamhaus.org")).lists[0]
    assert entry.status == "error"
    assert entry.note == (
        "zen.spamhaus.org lists IPv4 addresses and IPv6 addresses; it cannot answer for "
        "domain names"
    )


async def test_allowlist_is_counted_apart(ctx: ProbeContext) -> None:
    result = await check("192.0.2.50", ctx, "list.dnswl.org", "zen.spamhaus.org")
    dnswl = by_zone(result)["list.dnswl.org"]
    assert dnswl.status == "listed" and dnswl.purpose == "allow"
    assert dnswl.meanings == ["trusted sender (special case), trust high"]
    assert (result.outcome, result.listed, result.allowlisted, result.total) == ("up", 0, 1, 1)


async def test_health_flags_dead_and_wildcard_lists(
    rbldnsd_factory: RbldnsdFactory, probe_ctx: ProbeContext
) -> None:
    server = rbldnsd_factory(
        {
            "empty.test": ("ip4set", ["192.0.2.1"]),
            "wild.test": ("ip4trie", ["0.0.0.0/0 :127.0.0.2:everything"]),
        },
        rfc5782=False,
    )
    ctx = dataclasses.replace(probe_ctx, resolver=(server.host, server.port))
    result = await check("198.51.100.1", ctx, "empty.test", "wild.test")
    empty, wild = by_zone(result)["empty.test"], by_zone(result)["wild.test"]
    assert empty.health is not None and empty.health.status == "dead"
    assert empty.status == "unknown" and empty.note is not None
    assert empty.note.startswith("not trusted: its test entry 127.0.0.2 is not listed")
    assert wild.health is not None and wild.health.status == "wildcard"
    assert wild.status == "error" and result.listed == 0
    codes = [f.code for f in result.findings]
    assert codes.count("rbl_list_unhealthy") == 2


async def test_healthy_lists_pass_their_self_test(ctx: ProbeContext) -> None:
    result = await check("192.0.2.1", ctx, "zen.spamhaus.org", "custom.test")
    assert all(e.health is not None and e.health.status == "ok" for e in result.lists)
    domain = await check("phish.example", ctx, "dbl.spamhaus.org", "multi.uribl.com")
    assert all(e.health is not None and e.health.status == "ok" for e in domain.lists)
    skipped = await check("192.0.2.1", ctx, "zen.spamhaus.org", check_health=False)
    assert skipped.lists[0].health is None


async def test_many_hosts_in_one_call(ctx: ProbeContext) -> None:
    hosts = expand_hosts("192.0.2.0/29")
    results = await check_hosts(hosts, Options(lists=["zen.spamhaus.org"], concurrency=3), ctx)
    assert [r.target for r in results] == hosts
    listed = {r.target for r in results if r.listed}
    assert listed == {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.6"}


async def test_list_then_delist_after_reload(server: RbldnsdServer, ctx: ProbeContext) -> None:
    assert (await check("203.0.113.9", ctx, "custom.test")).listed == 0
    server.write_zone("custom.test", ["203.0.113.9 :127.0.0.2:now listed"])
    server.reload()
    assert (await check("203.0.113.9", ctx, "custom.test")).lists[0].reason == "now listed"
    server.write_zone("custom.test", [])
    server.reload()
    assert (await check("203.0.113.9", ctx, "custom.test")).listed == 0


async def test_default_is_the_active_catalogue(ctx: ProbeContext) -> None:
    # Only ZEN is served here: the other active lists have no zone on this server.
    result = await probe("192.0.2.1", Options(timeout=2.0), ctx)
    zones = {e.zone for e in result.lists}
    assert "zen.spamhaus.org" in zones and "bl.spamcop.net" in zones
    assert "sbl.spamhaus.org" not in zones  # paused
    assert by_zone(result)["zen.spamhaus.org"].status == "listed"
    assert all(e.type == "rbl" for e in result.lists)


async def test_resolver_is_required(probe_ctx: ProbeContext) -> None:
    with pytest.raises(ProbeError, match="resolver of your own"):
        await probe("192.0.2.1", Options(), probe_ctx)


async def test_resolver_named_by_the_call_obeys_the_target_policy(
    server: RbldnsdServer, probe_ctx: ProbeContext
) -> None:
    options = Options(lists=["zen.spamhaus.org"], resolver=server.address)
    assert (await probe("192.0.2.1", options, probe_ctx)).listed == 1
    with pytest.raises(TargetNotAllowed):
        await probe("192.0.2.1", options, ProbeContext())


async def test_ipv6_resolver(rbldnsd_factory: RbldnsdFactory, probe_ctx: ProbeContext) -> None:
    server = rbldnsd_factory({"custom.test": ("ip4set", ["192.0.2.1"])}, host="::1")
    options = Options(lists=["custom.test"], resolver=server.address)
    assert (await probe("192.0.2.1", options, probe_ctx)).listed == 1


async def test_subnet_target_is_refused_with_a_hint(ctx: ProbeContext) -> None:
    with pytest.raises(ProbeError, match="expand it into hosts"):
        await probe("192.0.2.0/24", Options(), ctx)


def test_registry_exposes_the_probe() -> None:
    function, options_model = get_probe("rbl")
    assert function is probe and options_model is Options


def test_options_are_validated_once() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.0/8"):
        Options(custom_codes={"x.test": ["10.0.0.1"]})
    with pytest.raises(ValueError, match="HOST:PORT"):
        Options(resolver="127.0.0.1:notaport")
    with pytest.raises(ValueError):
        Options(lists=["not a zone"])
    assert Options(lists=["ZEN.Spamhaus.org.", "zen.spamhaus.org"]).lists == ["zen.spamhaus.org"]


@given(st.ip_addresses(v=4))
def test_ipv4_query_names_round_trip(address: ipaddress.IPv4Address) -> None:
    name = query_name(parse_target(str(address)), "bl.test")
    assert name.count(".") == 5 and name.endswith(".bl.test")
    assert target_from_query_name(name, "bl.test") == str(address)


@given(st.ip_addresses(v=6))
def test_ipv6_query_names_round_trip(address: ipaddress.IPv6Address) -> None:
    target = parse_target(str(address))
    name = query_name(target, "bl.test")
    assert target_from_query_name(name, "bl.test") == target.value
    if address.ipv4_mapped is None:
        assert len(name.split(".")) == 32 + 2


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,10}){1,3}", fullmatch=True))
def test_domain_query_names_round_trip(domain: str) -> None:
    name = query_name(parse_target(domain), "dbl.test")
    assert name == f"{domain}.dbl.test"
    assert target_from_query_name(name, "dbl.test") == domain


def test_expand_hosts_subnets_ranges_and_cap() -> None:
    assert len(expand_hosts("192.0.2.0/24")) == 256
    assert expand_hosts("192.0.2.10-12") == ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
    assert expand_hosts("192.0.2.254-192.0.3.1") == [
        "192.0.2.254",
        "192.0.2.255",
        "192.0.3.0",
        "192.0.3.1",
    ]
    assert expand_hosts("2001:db8::/127") == ["2001:db8::", "2001:db8::1"]
    assert expand_hosts("mail-out.example.") == ["mail-out.example"]
    assert expand_hosts("192.0.2.7") == ["192.0.2.7"]
    with pytest.raises(ValueError, match="more than the limit of 256"):
        expand_hosts("192.0.2.0/23")
    with pytest.raises(ValueError, match="more than the limit"):
        expand_hosts("2001:db8::/64")
    with pytest.raises(ValueError, match="more than the limit of 8"):
        expand_hosts("192.0.2.0/28", cap=8)
    with pytest.raises(ValueError, match="not a valid address range"):
        expand_hosts("192.0.2.20-10")


@given(st.ip_addresses(v=4), st.integers(min_value=24, max_value=32))
def test_expanded_subnets_are_exactly_the_network(
    address: ipaddress.IPv4Address, prefix: int
) -> None:
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    hosts = expand_hosts(str(network))
    assert len(hosts) == network.num_addresses
    assert all(ipaddress.ip_address(h) in network for h in hosts)


def test_cli_prints_listings_and_json(server: RbldnsdServer) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from watchwire.cli import check_rbl

    app = typer.Typer()
    app.command("rbl")(check_rbl.command)
    app.command("other")(lambda: None)  # keep "rbl" a subcommand, as under `watchwire check`
    runner = CliRunner()
    base = ["rbl", "--resolver", server.address, "--list", "zen.spamhaus.org"]
    table = runner.invoke(app, [*base, "--list", "custom.test", "192.0.2.1"])
    assert table.exit_code == 2, table.output  # listed: EXIT_DOWN, as the README says
    assert "listed on 2 of 2 blocklists" in table.output
    assert "https://check.spamhaus.org/" in table.output
    as_json = runner.invoke(app, [*base, "--json", "192.0.2.2"])
    data = json.loads(as_json.output)
    assert data["lists"][0]["meanings"][0].startswith("XBL")
    many = runner.invoke(app, [*base, "--json", "192.0.2.0/30"])
    assert [r["listed"] for r in json.loads(many.output)] == [0, 1, 1, 1]
    refused = runner.invoke(app, ["rbl", "--resolver", server.address, "192.0.2.0/16"])
    assert refused.exit_code == 1 and "more than the limit" in refused.output


def test_cli_exit_code_says_whether_the_host_is_listed(server: RbldnsdServer) -> None:
    """The README's promise for every `watchwire check`: 0 up, 2 down (listed), 1 error."""
    from typer.testing import CliRunner

    from watchwire.cli import app

    runner = CliRunner()
    base = ["check", "rbl", "--resolver", server.address, "--list", "zen.spamhaus.org"]
    assert runner.invoke(app, [*base, "192.0.2.0"]).exit_code == 0
    assert runner.invoke(app, [*base, "192.0.2.1"]).exit_code == 2
    assert runner.invoke(app, [*base, "--json", "192.0.2.1"]).exit_code == 2
    assert runner.invoke(app, [*base, "192.0.2.0/31"]).exit_code == 2  # one of two listed
    assert runner.invoke(app, [*base, "--json", "192.0.2.0/31"]).exit_code == 2
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as unused:
        unused.bind(("127.0.0.1", 0))
        silent = f"127.0.0.1:{unused.getsockname()[1]}"  # bound, never answers
        nobody = ["check", "rbl", "--resolver", silent, "--list", "zen.spamhaus.org"]
        no_answer = runner.invoke(app, [*nobody, "--timeout", "0.3", "--no-health", "192.0.2.1"])
    assert no_answer.exit_code == 1, no_answer.output
