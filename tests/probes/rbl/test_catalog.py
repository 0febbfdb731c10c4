"""The built-in blocklist catalogue: its data is well-formed, holds no defunct lists, and
every documented return code and refusal code is read right when a real rbldnsd serves the
catalogue's zones."""

from __future__ import annotations

import dataclasses
import ipaddress
from urllib.parse import urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.rbldnsd import RbldnsdFactory, rbldnsd_factory
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl.catalog import (
    DEFAULT_REFUSAL_CODES,
    RblSource,
    active_sources,
    custom_source,
    load_catalog,
    source_by_id,
    sources_for_zone,
)
from watchwire.probes.rbl.query import normalise_domain
from watchwire.probes.rbl.rbl import Options, check_hosts

__all__ = ["rbldnsd_factory"]

# Closed, or answering for every address: none of these may come back into the catalogue.
DEFUNCT = (
    "sorbs.net",
    "njabl.org",
    "ahbl.org",
    "dsbl.org",
    "spamcannibal.org",
    "rfc-ignorant.org",
    "cbl.abuseat.org",
    "tqmcube.com",
    "spamcop.net.invalid",
)


def test_catalogue_entries_are_well_formed() -> None:
    catalogue = load_catalog()
    assert len(catalogue) >= 15
    assert len({s.id for s in catalogue}) == len(catalogue)
    assert len({(s.zone, s.type) for s in catalogue}) == len(catalogue)
    for source in catalogue:
        assert normalise_domain(source.zone) == source.zone
        for code in [*source.codes, *source.refusal_codes]:
            assert ipaddress.IPv4Address(code).is_loopback, (source.id, code)
        assert not set(source.codes) & set(source.refusal_codes), source.id
        for url in (source.website, source.delisting_url):
            assert url is not None and urlparse(url).scheme == "https", source.id
        assert source.codes or source.decode == "dnswl", source.id


def test_no_defunct_lists() -> None:
    zones = [s.zone for s in load_catalog()]
    assert not [z for z in zones if any(z.endswith(dead) for dead in DEFUNCT)]


def test_every_source_type_has_active_lists() -> None:
    assert {s.type for s in active_sources()} == {"rbl", "rbl_v6", "uribl"}
    assert all(s.state == "active" for s in active_sources("uribl"))
    assert all(s.purpose == "block" for s in active_sources())  # the allowlist is opt-in


def test_spamhaus_refusal_codes_are_known() -> None:
    zen = source_by_id("spamhaus-zen")
    assert set(zen.refusal_codes) == {"127.255.255.252", "127.255.255.254", "127.255.255.255"}
    dbl = source_by_id("spamhaus-dbl")
    assert "127.0.1.255" in dbl.refusal_codes and "127.255.255.254" in dbl.refusal_codes
    assert source_by_id("uribl-multi").refusal_codes.keys() == {"127.0.0.1"}
    assert source_by_id("dnswl").refusal_codes.keys() == {"127.0.0.255"}


def test_zone_lookup_and_custom_sources() -> None:
    assert {s.type for s in sources_for_zone("ZEN.spamhaus.org.")} == {"rbl", "rbl_v6"}
    assert sources_for_zone("nowhere.test") == []
    custom = custom_source("My.List.Test.", "rbl", ("127.0.0.3",))
    assert (custom.zone, custom.custom, custom.custom_codes) == (
        "my.list.test",
        True,
        ("127.0.0.3",),
    )
    assert custom.refusal_codes == DEFAULT_REFUSAL_CODES
    assert custom.test_points.listed == "127.0.0.2" and custom.test_points.unlisted == "127.0.0.1"
    assert custom_source("d.test", "uribl").test_points.listed == "TEST"
    assert custom_source("d.test", "rbl_v6").test_points.unlisted == "::ffff:7f00:1"
    with pytest.raises(KeyError):
        source_by_id("sorbs")


def test_bitmask_meanings_combine_bits() -> None:
    surbl = source_by_id("surbl-multi")
    assert surbl.meaning("127.0.0.80") == "MW: malware; ABUSE: spam and abuse"
    assert surbl.meaning("127.0.0.2") is None


@given(st.integers(min_value=2, max_value=15), st.integers(min_value=0, max_value=3))
def test_dnswl_codes_decode_category_and_trust(category: int, trust: int) -> None:
    meaning = source_by_id("dnswl").meaning(f"127.0.{category}.{trust}")
    assert meaning is not None and meaning.startswith("trusted sender (")
    assert meaning.endswith(("none", "low", "medium", "high")[trust])


def _exact_sources() -> list[RblSource]:
    return [s for s in load_catalog() if s.decode == "exact" and s.type == "rbl"]


async def test_catalogue_codes_against_rbldnsd(
    rbldnsd_factory: RbldnsdFactory, probe_ctx: ProbeContext
) -> None:
    """Serve every IPv4 list of the catalogue with one host per documented code and one per
    refusal code; the probe must decode each listing and block each refusal."""
    zones: dict[str, tuple[str, list[str]]] = {}
    expected: dict[tuple[str, str], tuple[str, str]] = {}
    for source in _exact_sources():
        lines = []
        for index, (code, meaning) in enumerate(source.codes.items(), start=1):
            lines.append(f"198.18.0.{index} :{code}:")
            expected[(source.zone, f"198.18.0.{index}")] = ("listed", meaning)
        for index, (code, why) in enumerate(source.refusal_codes.items(), start=101):
            lines.append(f"198.18.0.{index} :{code}:")
            expected[(source.zone, f"198.18.0.{index}")] = ("blocked", why)
        zones[source.zone] = ("ip4set", lines)
    server = rbldnsd_factory(zones)
    ctx = dataclasses.replace(probe_ctx, resolver=(server.host, server.port))
    hosts = sorted({host for _, host in expected}, key=ipaddress.IPv4Address)
    options = Options(lists=list(zones), fetch_reasons=False)
    results = {r.target: r for r in await check_hosts(hosts, options, ctx)}
    for (zone, host), (status, text) in expected.items():
        entry = next(e for e in results[host].lists if e.zone == zone)
        assert entry.status == status, (zone, host)
        assert (entry.meanings == [text]) if status == "listed" else (entry.note == text)
        assert entry.health is not None and entry.health.status == "ok"
