"""The native API's JSON of probe locations (`/v1/locations`)."""

from __future__ import annotations

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.locations import Location


@answer
class LocationJson(TypedDict):
    code: str
    name: str
    city: str
    country: str
    country_code: str
    latitude: float | None
    longitude: float | None
    ipv4: str | None
    ipv6: str | None
    agent: bool
    timeout_minutes: int
    last_seen_at: str | None
    timed_out: bool
    created_at: str
    updated_at: str


def location(value: Location) -> LocationJson:
    return {
        "code": value.code,
        "name": value.name,
        "city": value.city,
        "country": value.country,
        "country_code": value.country_code,
        "latitude": value.latitude,
        "longitude": value.longitude,
        "ipv4": value.ipv4,
        "ipv6": value.ipv6,
        "agent": value.has_agent,
        "timeout_minutes": value.timeout_minutes,
        "last_seen_at": isoformat_or_none(value.last_seen_at),
        "timed_out": value.timed_out,
        "created_at": isoformat(value.created_at),
        "updated_at": isoformat(value.updated_at),
    }
