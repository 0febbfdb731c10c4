"""IP geolocation from the embedded data (no traffic to the addresses looked up), special
ranges labelled, `.mmdb` databases layered on top, and the data refreshed from a CSV."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchwire.errors import ProbeError
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.geo.data import GeoData, compact, update
from watchwire.probes.geo.geo import Options, embedded_data, locate, probe

OFFLINE = Options(reverse_dns=False)  # public addresses: no PTR query to any resolver


@pytest.mark.parametrize(
    ("ip", "country", "asn", "organisation"),
    [
        ("8.8.8.8", "US", 15169, "Google LLC"),
        ("1.1.1.1", None, 13335, "Cloudflare, Inc."),
        ("2001:4860:4860::8888", None, 15169, "Google LLC"),
        ("2606:4700:4700::1111", None, 13335, "Cloudflare, Inc."),
        ("9.9.9.9", None, 19281, None),
    ],
)
async def test_well_known_addresses(
    ip: str, country: str | None, asn: int, organisation: str | None
) -> None:
    result = await probe(ip, OFFLINE, ProbeContext())
    [info] = result.addresses
    assert info.category == "public"
    assert info.asn == asn
    if organisation:
        assert info.organisation == organisation
    if country:
        assert info.country_code == country
        assert info.country_name == "United States"
    assert info.country_code is not None and len(info.country_code) == 2
    assert info.sources == ["embedded"]
    assert info.city is None and info.latitude is None  # the embedded data has no cities


@pytest.mark.parametrize(
    ("ip", "category"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "cgnat"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("fd12:3456::1", "private"),
    ],
)
def test_special_ranges_are_labelled_not_located(ip: str, category: str) -> None:
    info = locate(ipaddress.ip_address(ip), embedded_data())
    assert info.category == category
    assert (info.country_code, info.asn, info.sources) == (None, None, [])


async def test_mapped_ipv6_is_looked_up_as_ipv4() -> None:
    [info] = (await probe("::ffff:8.8.8.8", OFFLINE, ProbeContext())).addresses
    assert (info.ip, info.version, info.asn) == ("8.8.8.8", 4, 15169)


async def test_host_name_resolves_and_reverse_name_comes_from_hosts_file() -> None:
    result = await probe("localhost", Options(family="ipv4"), ProbeContext())
    [info] = result.addresses
    assert info.ip == "127.0.0.1"
    assert info.category == "loopback"
    assert info.reverse_name == "localhost"


async def test_unresolvable_name_is_a_probe_error() -> None:
    with pytest.raises(ProbeError, match="cannot resolve"):
        await probe("no-such-host.invalid", OFFLINE, ProbeContext())


def test_registered() -> None:
    assert get_probe("geo") == (probe, Options)


def test_embedded_data_names_its_sources() -> None:
    described = embedded_data().describe()
    assert set(described) == {"country4", "country6", "asn4", "asn6"}
    assert all("CC BY 4.0" in section["source"] for section in described.values())


# --- a tiny MaxMind DB writer, enough to test reading real .mmdb files ------------------------


def _control(type_number: int, size: int) -> bytes:
    extended = type_number > 7
    first = (0 if extended else type_number) << 5
    if size < 29:
        head = bytes([first | size])
    elif size < 285:
        head = bytes([first | 29, size - 29])
    else:
        head = bytes([first | 30]) + (size - 285).to_bytes(2, "big")
    return head[:1] + (bytes([type_number - 7]) if extended else b"") + head[1:]


@dataclass(frozen=True)
class Unsigned:
    """An unsigned integer of a given MaxMind DB type: 5 uint16, 6 uint32, 9 uint64."""

    value: int
    type_number: int = 6


def _encode(value: Any) -> bytes:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Unsigned(value)
    if isinstance(value, Unsigned):
        number = value.value
        data = number.to_bytes((number.bit_length() + 7) // 8, "big")
        return _control(value.type_number, len(data)) + data
    if isinstance(value, str):
        data = value.encode()
        return _control(2, len(data)) + data
    if isinstance(value, float):
        return _control(3, 8) + struct.pack(">d", value)
    if isinstance(value, dict):
        body = b"".join(_encode(k) + _encode(v) for k, v in value.items())
        return _control(7, len(value)) + body
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(_encode(v) for v in value)
    raise TypeError(type(value))


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]], database_type: str) -> None:
    """An IPv6 MaxMind DB (IPv4 lives under ::/96) with 24-bit records."""
    data = bytearray()
    tree: list[list[Any]] = [[None, None]]
    for network_text, record in networks.items():
        network = ipaddress.ip_network(network_text)
        bits, length = int(network.network_address), network.prefixlen
        if network.version == 4:
            length += 96
        pointer = ("data", len(data))
        data += _encode(record)
        node = 0
        for depth in range(length):
            bit = bits >> (127 - depth if network.version == 6 else 31 - (depth - 96)) & 1
            bit = 0 if network.version == 4 and depth < 96 else bit
            if depth == length - 1:
                tree[node][bit] = pointer
            else:
                if not isinstance(tree[node][bit], int):
                    tree.append([None, None])
                    tree[node][bit] = len(tree) - 1
                node = tree[node][bit]
    count = len(tree)

    def record_value(entry: Any) -> int:
        if entry is None:
            return count
        if isinstance(entry, int):
            return entry
        return count + 16 + entry[1]

    body = b"".join(
        record_value(left).to_bytes(3, "big") + record_value(right).to_bytes(3, "big")
        for left, right in tree
    )
    metadata = {
        "node_count": Unsigned(count),
        "record_size": Unsigned(24, 5),
        "ip_version": Unsigned(6, 5),
        "database_type": database_type,
        "languages": ["en"],
        "binary_format_major_version": Unsigned(2, 5),
        "binary_format_minor_version": Unsigned(0, 5),
        "build_epoch": Unsigned(1_700_000_000, 9),
        "description": {"en": "watchwire test database"},
    }
    path.write_bytes(
        body + bytes(16) + bytes(data) + b"\xab\xcd\xefMaxMind.com" + _encode(metadata)
    )


@pytest.fixture
def city_mmdb(tmp_path: Path) -> Path:
    path = tmp_path / "Test-City.mmdb"
    write_mmdb(
        path,
        {
            "8.8.8.0/24": {
                "country": {"iso_code": "US", "names": {"en": "United States"}},
                "subdivisions": [{"iso_code": "CA", "names": {"en": "California"}}],
                "city": {"names": {"en": "Mountain View"}},
                "location": {"latitude": 37.386, "longitude": -122.0838},
            },
            "2001:db8::/32": {"country": {"iso_code": "NL", "names": {"en": "Netherlands"}}},
        },
        "GeoIP2-City",
    )
    return path


@pytest.fixture
def flat_asn_mmdb(tmp_path: Path) -> Path:
    path = tmp_path / "asn.mmdb"
    write_mmdb(
        path,
        {
            "8.8.8.0/24": {
                "autonomous_system_number": 64500,
                "autonomous_system_organization": "Example Transit",
            },
            "81.2.69.0/24": {"country_code": "GB", "state1": "England", "city": "London"},
        },
        "ip-location-db",
    )
    return path


async def test_mmdb_adds_region_city_and_coordinates(city_mmdb: Path) -> None:
    result = await probe("8.8.8.8", OFFLINE, ProbeContext(geoip_mmdb=(city_mmdb,)))
    [info] = result.addresses
    assert (info.country_code, info.region, info.city) == ("US", "California", "Mountain View")
    assert (info.latitude, info.longitude) == (37.386, -122.0838)
    assert info.asn == 15169  # the embedded ASN still shows
    assert info.sources == ["embedded", "Test-City.mmdb"]


async def test_later_databases_win_and_flat_records_are_understood(
    city_mmdb: Path, flat_asn_mmdb: Path
) -> None:
    context = ProbeContext(geoip_mmdb=(city_mmdb, flat_asn_mmdb))
    [google] = (await probe("8.8.8.8", OFFLINE, context)).addresses
    assert (google.asn, google.organisation) == (64500, "Example Transit")
    [london] = (await probe("81.2.69.142", OFFLINE, context)).addresses
    assert (london.country_code, london.region, london.city) == ("GB", "England", "London")
    assert london.country_name == "United Kingdom"  # from the shipped name table


async def test_unreadable_mmdb_is_a_probe_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    with pytest.raises(ProbeError, match="GeoIP database"):
        await probe("8.8.8.8", OFFLINE, ProbeContext(geoip_mmdb=(broken,)))


# --- refreshing the embedded data ---------------------------------------------------------------

COUNTRY_CSV = """start,end,country
1.0.0.0,1.0.0.255,AU
1.0.1.0,1.0.3.255,CN
2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP
"""
ASN_CSV = """16777216,16777471,13335,"Cloudflare, Inc."
16778240,16779263,38803,Gtelecom Pty Ltd
"""


def test_update_builds_a_file_from_csvs(tmp_path: Path) -> None:
    output = tmp_path / "ipgeo.bin.xz"
    assert update(COUNTRY_CSV.splitlines(), "test countries", None, output) == [
        "country4",
        "country6",
    ]
    assert update(ASN_CSV.splitlines(), "test asn", GeoData.load(output), output) == ["asn4"]
    data = GeoData.load(output)
    look = ipaddress.ip_address
    assert data.country(look("1.0.2.7")) == "CN"
    assert data.country(look("1.0.4.0")) is None  # past the last range
    assert data.country(look("0.255.255.255")) is None  # before the first
    assert data.country(look("2001:200::1")) == "JP"
    assert data.asn(look("1.0.0.9")).number == 13335  # type: ignore[union-attr]
    assert data.asn(look("1.0.1.0")) is None  # a gap between ranges (the CSV is numeric)
    assert data.asn(look("1.0.4.1")).organisation == "Gtelecom Pty Ltd"  # type: ignore[union-attr]
    assert data.describe()["country4"]["source"] == "test countries"  # kept by the 2nd update


@pytest.mark.parametrize(
    "bad",
    ["1.0.0.0,1.0.0.255,Australia\n", "1.0.0.0,1.0.0.255,AU,x,y\n", "1.0.0.9,1.0.0.0,AU\n", ""],
)
def test_update_rejects_malformed_csv(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        update(("start,end,cc\n" + bad).splitlines(), "bad", None, tmp_path / "x.xz")


def test_loader_rejects_other_files(tmp_path: Path) -> None:
    import lzma

    other = tmp_path / "other.xz"
    other.write_bytes(lzma.compress(b"\x80\x04pickle"))
    with pytest.raises(ValueError, match="not a watchwire geo data file"):
        GeoData.load(other)


ranges = st.lists(
    st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2000), st.integers(1, 4)),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(ranges, st.lists(st.integers(0, 2**32 - 1), max_size=20))
def test_compacted_lookup_matches_the_ranges(
    raw: list[tuple[int, int, int]], probes: list[int]
) -> None:
    # Non-overlapping ranges by construction: sort and drop any that overlap an earlier one.
    rows: list[tuple[int, int, int]] = []
    for start, length, value in sorted(raw):
        end = min(start + length, 2**32 - 1)
        if not rows or start > rows[-1][1]:
            rows.append((start, end, value))
    pairs = list(compact(list(rows)))
    starts = [start for start, _ in pairs]
    import bisect

    for address in probes + [row[0] for row in rows] + [row[1] for row in rows]:
        expected = next((v for s, e, v in rows if s <= address <= e), 0)
        index = bisect.bisect_right(starts, address) - 1
        assert (pairs[index][1] if index >= 0 else 0) == expected


def test_geo_update_command_rebuilds_and_describes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from watchwire.cli.geo import geo_app

    csv_file = tmp_path / "countries.csv"
    csv_file.write_text(COUNTRY_CSV)
    output = tmp_path / "ipgeo.bin.xz"
    runner = CliRunner()
    updated = runner.invoke(
        geo_app,
        ["update", "--from", str(csv_file), "--output", str(output), "--source", "mine"],
    )
    assert updated.exit_code == 0, updated.output
    assert "country4, country6" in updated.output
    described = runner.invoke(geo_app, ["info", "--file", str(output), "--json"])
    assert described.exit_code == 0, described.output
    assert '"source": "mine"' in described.output
    assert GeoData.load(output).country(ipaddress.ip_address("1.0.0.1")) == "AU"

    csv_file.write_text("start,end,cc\n1.0.0.0,1.0.0.255,Australia\n")
    refused = runner.invoke(geo_app, ["update", "--from", str(csv_file), "--output", str(output)])
    assert refused.exit_code == 1
    assert "not a country code" in refused.output
