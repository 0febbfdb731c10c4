"""The embedded IP geolocation data: a compact file of sorted address ranges, built from
range CSVs, read without unpickling anything, and searched by bisection.

File layout (`ipgeo.bin.xz`, LZMA-compressed): the magic `WWGEO\\x00\\x01\\n`, a 4-byte
little-endian length, a JSON header, then raw blobs the header points at. For each section
(`country4`, `country6`, `asn4`, `asn6`) there is a blob of range starts (big-endian 4- or
16-byte addresses, ascending) and a blob of values (little-endian uint16 country index or
uint32 ASN index; 0 means "no data" and fills the gaps between ranges). The header also holds
the country code table, the organisation names, each section's source and build date.

Accepted CSV (the ip-location-db layout; a header row is skipped):
    start,end,CC                        country: ISO 3166-1 alpha-2 code
    start,end,ASN,organisation          autonomous system
`start` and `end` are inclusive, written as IP addresses or as integers.
"""

from __future__ import annotations

import array
import bisect
import csv
import datetime
import ipaddress
import json
import lzma
import struct
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, overload

MAGIC: Final = b"WWGEO\x00\x01\n"
SECTIONS: Final = ("country4", "country6", "asn4", "asn6")
DataKind = Literal["country", "asn"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class Ranges:
    """One section being built: (first address, last address, value) rows."""

    rows: list[tuple[int, int, int]] = field(default_factory=list)


class _Keys(Sequence[bytes]):
    """Fixed-width big-endian keys in one bytes buffer, indexable for `bisect`."""

    def __init__(self, blob: bytes, width: int) -> None:
        self._blob = blob
        self._width = width

    def __len__(self) -> int:
        return len(self._blob) // self._width

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(index, slice):
            raise TypeError("slicing is not supported")
        start = index * self._width
        return self._blob[start : start + self._width]


@dataclass(frozen=True)
class AsnEntry:
    number: int
    organisation: str | None


class GeoData:
    """A loaded data file; look up an address's country code and autonomous system."""

    def __init__(
        self,
        header: dict[str, Any],
        blobs: dict[str, tuple[_Keys, array.array[int]]],
        asn_numbers: array.array[int],
    ) -> None:
        self.header = header
        self._blobs = blobs
        self._countries: list[str] = header["countries"]
        self._organisations: list[str] = header["organisations"]
        self._asn_numbers = asn_numbers

    @classmethod
    def load(cls, path: Path) -> GeoData:
        raw = lzma.decompress(path.read_bytes())
        if not raw.startswith(MAGIC):
            raise ValueError(f"{path} is not a watchwire geo data file")
        (header_length,) = struct.unpack_from("<I", raw, len(MAGIC))
        start = len(MAGIC) + 4
        header = json.loads(raw[start : start + header_length])
        payload = memoryview(raw)[start + header_length :]
        blobs = {}
        for name, section in header["sections"].items():
            width = 4 if name.endswith("4") else 16
            keys = _Keys(bytes(_slice(payload, section["keys"])), width)
            value_code = "H" if name.startswith("country") else "I"
            blobs[name] = (keys, _read_array(value_code, section["values"], payload))
        return cls(header, blobs, _read_array("I", header["asn_numbers"], payload))

    def _value(self, kind: DataKind, address: IPAddress) -> int:
        section = self._blobs.get(f"{kind}{address.version}")
        if section is None:
            return 0
        keys, values = section
        index = bisect.bisect_right(keys, address.packed) - 1
        return values[index] if index >= 0 else 0

    def country(self, address: IPAddress) -> str | None:
        index = self._value("country", address)
        return self._countries[index] if index else None

    def asn(self, address: IPAddress) -> AsnEntry | None:
        index = self._value("asn", address)
        if not index:
            return None
        return AsnEntry(self._asn_numbers[index], self._organisations[index] or None)

    def entries(self, name: str) -> list[tuple[int, str | AsnEntry | None]]:
        """A section as (range start, country code or ASN entry or None for a gap)."""
        keys, values = self._blobs[name]
        out: list[tuple[int, str | AsnEntry | None]] = []
        for index, value in enumerate(values):
            start = int.from_bytes(keys[index], "big")
            if value == 0:
                out.append((start, None))
            elif name.startswith("country"):
                out.append((start, self._countries[value]))
            else:
                out.append(
                    (start, AsnEntry(self._asn_numbers[value], self._organisations[value] or None))
                )
        return out

    def describe(self) -> dict[str, Any]:
        """Each section's source, build date and range count (for docs and the CLI)."""
        return {
            name: {key: section[key] for key in ("source", "built", "count")}
            for name, section in self.header["sections"].items()
        }


def _slice(payload: memoryview, where: list[int]) -> memoryview:
    offset, length = where
    return payload[offset : offset + length]


def _read_array(code: str, where: list[int], payload: memoryview) -> array.array[int]:
    values = array.array(code)
    values.frombytes(_slice(payload, where))
    if sys.byteorder == "big":
        values.byteswap()
    return values


# --- building ----------------------------------------------------------------------------


def read_csv(lines: Iterable[str]) -> tuple[DataKind, dict[int, Ranges], list[tuple[int, str]]]:
    """Parse a range CSV into (kind, {ip version: ranges}, value table). Values are indexes
    into the returned table of (ASN or 0, country code or organisation)."""
    kind: DataKind | None = None
    table: dict[tuple[int, str], int] = {}
    by_version: dict[int, Ranges] = {}
    for line_number, row in enumerate(csv.reader(lines), start=1):
        if not row or row[0].startswith("#"):
            continue
        try:
            first, last = _address(row[0]), _address(row[1])
        except (ValueError, IndexError):
            if line_number == 1:
                continue  # a header row
            raise ValueError(f"line {line_number}: cannot read the address range") from None
        row_kind: DataKind = "country" if len(row) == 3 else "asn"
        if len(row) not in (3, 4) or (kind is not None and row_kind != kind):
            raise ValueError(f"line {line_number}: expected start,end,CC or start,end,ASN,org")
        kind = row_kind
        if kind == "country":
            entry = (0, row[2].strip().upper())
            if len(entry[1]) != 2 or not entry[1].isalpha():
                raise ValueError(f"line {line_number}: {row[2]!r} is not a country code")
        else:
            if not row[2].strip().isdigit():
                raise ValueError(f"line {line_number}: {row[2]!r} is not an AS number")
            entry = (int(row[2]), row[3].strip())
        value = table.setdefault(entry, len(table) + 1)
        version = first[1]
        if last[1] != version or last[0] < first[0]:
            raise ValueError(f"line {line_number}: not a valid range")
        by_version.setdefault(version, Ranges()).rows.append((first[0], last[0], value))
    if kind is None:
        raise ValueError("no ranges in the file")
    return kind, by_version, sorted(table, key=table.__getitem__)


def _address(text: str) -> tuple[int, int]:
    """(integer, ip version) from an address or an integer (< 2**32 counts as IPv4)."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return number, 4 if number < 2**32 else 6
    address = ipaddress.ip_address(text)
    return int(address), address.version


def compact(rows: list[tuple[int, int, int]]) -> Iterator[tuple[int, int]]:
    """(start, value) pairs for sorted, non-overlapping ranges: neighbours with the same value
    are merged and each gap becomes a start with value 0."""
    rows.sort()
    previous_end = -1
    previous_value = 0
    for first, last, value in rows:
        if first <= previous_end:
            first = previous_end + 1  # overlapping rows: the earlier one wins
            if first > last:
                continue
        if first > previous_end + 1 and previous_value != 0:
            yield previous_end + 1, 0
            previous_value = 0
        if value != previous_value:
            yield first, value
            previous_value = value
        previous_end = last
    if previous_value != 0:
        yield previous_end + 1, 0


def write(
    path: Path,
    sections: dict[str, tuple[list[tuple[int, int]], str, str]],
    countries: list[str],
    asns: list[AsnEntry],
) -> None:
    """Write a data file. `sections` maps a section name to ((start, value) pairs, source,
    build date); `countries` and `asns` are the value tables (index 0 unused)."""
    payload = bytearray()
    header: dict[str, Any] = {"format": 1, "countries": countries, "sections": {}}
    header["organisations"] = [entry.organisation or "" for entry in asns]

    def add(blob: bytes) -> list[int]:
        offset = len(payload)
        payload.extend(blob)
        return [offset, len(blob)]

    numbers = array.array("I", (entry.number for entry in asns))
    header["asn_numbers"] = add(_little_endian(numbers))
    for name, (all_pairs, source, built) in sections.items():
        width = 4 if name.endswith("4") else 16
        # A gap marker just past the last address of the family has nothing to mark.
        pairs = [(start, value) for start, value in all_pairs if start < 2 ** (8 * width)]
        keys = b"".join(start.to_bytes(width, "big") for start, _ in pairs)
        values = array.array("H" if name.startswith("country") else "I", (v for _, v in pairs))
        header["sections"][name] = {
            "keys": add(keys),
            "values": add(_little_endian(values)),
            "count": len(values),
            "source": source,
            "built": built,
        }
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    raw = MAGIC + struct.pack("<I", len(header_bytes)) + header_bytes + bytes(payload)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(lzma.compress(raw, preset=9))
    temporary.replace(path)


def _little_endian(values: array.array[int]) -> bytes:
    if sys.byteorder == "big":
        values = array.array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def update(csv_lines: Iterable[str], source: str, base: GeoData | None, output: Path) -> list[str]:
    """Write `output` with the sections the CSV holds rebuilt from it and every other section
    kept from `base`. Returns the names of the rebuilt sections."""
    kind, by_version, table = read_csv(csv_lines)
    entries: dict[str, list[tuple[int, str | AsnEntry | None]]] = {}
    meta: dict[str, tuple[str, str]] = {}
    if base is not None:
        for name, section in base.header["sections"].items():
            entries[name] = base.entries(name)
            meta[name] = (section["source"], section["built"])
    values: list[str | AsnEntry] = [
        code if kind == "country" else AsnEntry(number, code or None) for number, code in table
    ]
    rebuilt = []
    for version, ranges in sorted(by_version.items()):
        name = f"{kind}{version}"
        entries[name] = [
            (start, values[value - 1] if value else None) for start, value in compact(ranges.rows)
        ]
        meta[name] = (source, today())
        rebuilt.append(name)
    countries: dict[str, int] = {"": 0}
    asns: dict[AsnEntry, int] = {AsnEntry(0, None): 0}
    sections: dict[str, tuple[list[tuple[int, int]], str, str]] = {}
    for name in SECTIONS:
        if name not in entries:
            continue
        pairs = []
        for start, entry in entries[name]:
            if entry is None:
                pairs.append((start, 0))
            elif isinstance(entry, str):
                pairs.append((start, countries.setdefault(entry, len(countries))))
            else:
                pairs.append((start, asns.setdefault(entry, len(asns))))
        sections[name] = (pairs, *meta[name])
    write(output, sections, list(countries), list(asns))
    return rebuilt
