"""The built-in catalogue of public DNS blocklists, and what their answers mean.

The catalogue is data (`watchwire/data/rbl_catalog.json`): zone, 003's source type
(`rbl` IPv4, `rbl_v6` IPv6 nibbles, `uribl` domains), return-code meanings, the answers that
mean "query refused", RFC 5782 test points, website and delisting page, active/paused state.
The sources API lists it; custom sources (003's "custom RBLs") are built with `custom_source`.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

SourceType = Literal["rbl", "rbl_v6", "uribl"]
Purpose = Literal["block", "allow"]
Decoding = Literal["exact", "bitmask", "dnswl"]

# RFC 5782 section 5: every list must list the first and must never list the second.
RFC5782_TEST_POINTS: Final[dict[str, tuple[str, str]]] = {
    "rbl": ("127.0.0.2", "127.0.0.1"),
    "rbl_v6": ("::ffff:7f00:2", "::ffff:7f00:1"),
    "uribl": ("TEST", "INVALID"),
}

# Applied to custom sources, whose refusal answers nobody told us: the Spamhaus-style
# 127.255.255.0/24 error range, which other operators have adopted.
DEFAULT_REFUSAL_CODES: Final[dict[str, str]] = {
    "127.255.255.252": "query refused: typo in the DNSBL name",
    "127.255.255.254": "query refused: sent through a public/open resolver",
    "127.255.255.255": "query refused: excessive number of queries",
}

_DNSWL_CATEGORIES: Final = {
    2: "financial services",
    3: "email service provider",
    4: "organisation",
    5: "service/network provider",
    6: "personal/private server",
    7: "travel/leisure",
    8: "public sector/government",
    9: "media and tech",
    10: "special case",
    11: "education/academic",
    12: "healthcare",
    13: "manufacturing/industrial",
    14: "retail/wholesale/services",
    15: "email marketing provider",
}
_DNSWL_TRUST: Final = ("none", "low", "medium", "high")


class TestPoints(BaseModel):
    """The entries a healthy list must list (`listed`) and must not list (`unlisted`)."""

    model_config = ConfigDict(frozen=True)
    __test__ = False  # not a pytest class, despite the name

    listed: str
    unlisted: str


class RblSource(BaseModel):
    """One blocklist (or allowlist) zone and how to read its answers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    zone: str
    name: str
    type: SourceType
    purpose: Purpose = "block"
    state: Literal["active", "paused"] = "active"
    custom: bool = False
    decode: Decoding = "exact"
    codes: dict[str, str] = {}
    refusal_codes: dict[str, str] = {}
    # Return codes that count as a listing; empty = any answer in 127.0.0.0/8 (003's custom_codes).
    custom_codes: tuple[str, ...] = ()
    test: TestPoints | None = None
    website: str | None = None
    delisting_url: str | None = None
    notes: str | None = None

    @property
    def test_points(self) -> TestPoints:
        if self.test is not None:
            return self.test
        listed, unlisted = RFC5782_TEST_POINTS[self.type]
        return TestPoints(listed=listed, unlisted=unlisted)

    def meaning(self, code: str) -> str | None:
        """What a return code means according to the list's documentation, if it says."""
        if self.decode == "exact":
            return self.codes.get(code)
        if self.decode == "bitmask":
            return _bitmask_meaning(self.codes, code)
        return _dnswl_meaning(code)


def _bitmask_meaning(codes: dict[str, str], code: str) -> str | None:
    last = int(ipaddress.IPv4Address(code).packed[3])
    parts = [
        text for key, text in codes.items() if last & int(ipaddress.IPv4Address(key).packed[3])
    ]
    return "; ".join(parts) or None


def _dnswl_meaning(code: str) -> str | None:
    _, _, category, trust = ipaddress.IPv4Address(code).packed
    if trust >= len(_DNSWL_TRUST):
        return None
    kind = _DNSWL_CATEGORIES.get(category, f"category {category}")
    return f"trusted sender ({kind}), trust {_DNSWL_TRUST[trust]}"


@lru_cache(maxsize=1)
def load_catalog() -> tuple[RblSource, ...]:
    """Every source of the built-in catalogue, active and paused, in catalogue order."""
    text = resources.files("watchwire").joinpath("data/rbl_catalog.json").read_text("utf-8")
    raw = json.loads(text)
    sets: dict[str, dict[str, str]] = raw["refusal_code_sets"]
    return tuple(_source_from_json(entry, sets) for entry in raw["sources"])


def _source_from_json(entry: dict[str, Any], sets: dict[str, dict[str, str]]) -> RblSource:
    entry = dict(entry)
    refusals = entry.pop("refusal_codes", {})
    if isinstance(refusals, str):
        refusals = sets[refusals]
    refusals = {**refusals, **entry.pop("extra_refusal_codes", {})}
    return RblSource(**entry, refusal_codes=refusals)


def active_sources(source_type: SourceType | None = None) -> list[RblSource]:
    """The active sources, optionally only those of one type."""
    return [
        s
        for s in load_catalog()
        if s.state == "active" and (source_type is None or s.type == source_type)
    ]


def sources_for_zone(zone: str) -> list[RblSource]:
    """Catalogue entries for a zone (a zone may be listed once per source type)."""
    zone = zone.lower().rstrip(".")
    return [s for s in load_catalog() if s.zone == zone]


def source_by_id(source_id: str) -> RblSource:
    """The catalogue entry with this id; KeyError if there is none."""
    for source in load_catalog():
        if source.id == source_id:
            return source
    raise KeyError(source_id)


def custom_source(
    zone: str, source_type: SourceType, custom_codes: tuple[str, ...] = ()
) -> RblSource:
    """A user-defined source (003's custom RBL): any 127/8 answer, or only `custom_codes`,
    counts as a listing."""
    zone = zone.lower().rstrip(".")
    return RblSource(
        id=f"custom:{source_type}:{zone}",
        zone=zone,
        name=zone,
        type=source_type,
        custom=True,
        refusal_codes=DEFAULT_REFUSAL_CODES,
        custom_codes=custom_codes,
    )
