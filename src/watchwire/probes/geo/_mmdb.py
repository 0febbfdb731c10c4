"""Optional MaxMind-format (.mmdb) databases: City or Country and ASN, read with `maxminddb`.

Two record shapes are understood: MaxMind's GeoIP2/GeoLite2 (nested `country.iso_code`,
`subdivisions[0].names.en`, `location.latitude` …) and the flat one of ip-location-db and
similar builds (`country_code`, `state1`, `city`, `latitude` …). Either gives the same fields.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import maxminddb

from watchwire.errors import ProbeError

FIELDS = (
    "country_code",
    "country_name",
    "region",
    "city",
    "latitude",
    "longitude",
    "asn",
    "organisation",
)


def lookup(path: Path, address: str) -> dict[str, Any]:
    """The fields a database holds for an address (only those present)."""
    try:
        reader = _open(str(path), path.stat().st_mtime_ns)
    except (OSError, maxminddb.InvalidDatabaseError, ValueError) as exc:
        raise ProbeError(f"cannot read the GeoIP database {path}: {exc}") from exc
    try:
        record = reader.get(address)
    except ValueError:  # an IPv6 address in an IPv4-only database
        return {}
    return normalise(record) if isinstance(record, dict) else {}


@functools.lru_cache(maxsize=8)
def _open(path: str, mtime_ns: int) -> maxminddb.Reader:
    # Keyed on the modification time too, so a replaced file is reopened.
    del mtime_ns
    return maxminddb.open_database(path)


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    country = record.get("country") or record.get("registered_country") or {}
    subdivisions = record.get("subdivisions") or [{}]
    location = record.get("location") or {}
    fields = {
        "country_code": country.get("iso_code") or record.get("country_code"),
        "country_name": _english(country) or record.get("country_name"),
        "region": _english(subdivisions[0]) or record.get("state1") or record.get("region"),
        "city": _english(record.get("city")) or _flat_text(record.get("city")),
        "latitude": location.get("latitude", record.get("latitude")),
        "longitude": location.get("longitude", record.get("longitude")),
        "asn": record.get("autonomous_system_number"),
        "organisation": record.get("autonomous_system_organization"),
    }
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _english(entry: Any) -> str | None:
    if isinstance(entry, dict):
        name = (entry.get("names") or {}).get("en")
        return str(name) if name else None
    return None


def _flat_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
