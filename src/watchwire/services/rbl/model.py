"""What blocklist monitoring shares between its service parts and its checks: the sources an
account sees, which of them a profile checks, the probe options of a host check, and the JSON
shapes of hosts and detail entries in event payloads.

Sources are the built-in catalogue (watchwire/data/rbl_catalog.json) plus the account's
custom sources. Catalogue sources have stable SIDs derived from their catalogue id, the same
for every account; pausing one is per account. Allowlists (DNSWL) are shown but never
checked by a profile: being on one is no listing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from watchwire.clock import as_utc, isoformat
from watchwire.probes.rbl import rbl
from watchwire.probes.rbl.catalog import RblSource, custom_source, load_catalog
from watchwire.store.database import Connection
from watchwire.store.tables_rbl import rbl_paused_sources, rbl_sources

# 003's frequency enum, in seconds.
FREQUENCIES: dict[str, int] = {
    "1_hour": 3600,
    "2_hours": 2 * 3600,
    "3_hours": 3 * 3600,
    "6_hours": 6 * 3600,
    "12_hours": 12 * 3600,
    "24_hours": 24 * 3600,
    "48_hours": 48 * 3600,
    "weekly": 7 * 86400,
    "2_weeks": 14 * 86400,
}
DEFAULT_FREQUENCY = "24_hours"
SYNC_METHODS = ("stay_in_sync", "use_my_selections")
SOURCE_TYPES = ("rbl", "rbl_v6", "uribl")
# Seconds one list may take to answer in a scheduled or manual check.
LOOKUP_TIMEOUT = 4.0


def iso(value: datetime | None) -> str | None:
    return isoformat(value) if value is not None else None


def catalog_sid(catalog_id: str) -> str:
    """The stable RB… SID of a catalogue entry."""
    return "RB" + hashlib.sha256(f"rbl-catalog:{catalog_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Source:
    """One list as an account sees it."""

    sid: str
    zone: str
    name: str
    type: str
    custom: bool
    custom_codes: tuple[str, ...]
    paused: bool
    purpose: str = "block"
    website: str | None = None
    delisting_url: str | None = None
    created_at: datetime | None = None

    @property
    def status(self) -> Literal["active", "paused"]:
        return "paused" if self.paused else "active"

    def probe_source(self) -> RblSource:
        """The probe's view of this list (for its RFC 5782 self-test)."""
        if self.custom:
            return custom_source(self.zone, self.type, self.custom_codes)  # type: ignore[arg-type]
        return next(s for s in load_catalog() if catalog_sid(s.id) == self.sid)


def catalog_sources(paused: Iterable[str] = ()) -> list[Source]:
    """The active entries of the built-in catalogue; `paused` are SIDs this account paused."""
    stopped = set(paused)
    return [
        Source(
            sid=catalog_sid(s.id),
            zone=s.zone,
            name=s.name,
            type=s.type,
            custom=False,
            custom_codes=s.custom_codes,
            paused=catalog_sid(s.id) in stopped,
            purpose=s.purpose,
            website=s.website,
            delisting_url=s.delisting_url,
        )
        for s in load_catalog()
        if s.state == "active"
    ]


def custom_source_of(row: Any) -> Source:
    return Source(
        sid=row.sid,
        zone=row.host,
        name=row.host,
        type=row.type,
        custom=True,
        custom_codes=tuple(row.custom_codes),
        paused=bool(row.paused),
        created_at=row.created_at,
    )


async def account_sources(conn: Connection, account_sid: str) -> list[Source]:
    """Every source the account sees: the catalogue, then its custom sources."""
    paused = (
        await conn.execute(
            sa.select(rbl_paused_sources.c.source_sid).where(
                rbl_paused_sources.c.account_sid == account_sid
            )
        )
    ).scalars()
    custom = (
        await conn.execute(
            sa.select(rbl_sources)
            .where(rbl_sources.c.account_sid == account_sid)
            .order_by(rbl_sources.c.created_at, rbl_sources.c.host, rbl_sources.c.sid)
        )
    ).all()
    return [*catalog_sources(paused), *(custom_source_of(r) for r in custom)]


def profile_sources(profile: Any, sources: Sequence[Source]) -> list[Source]:
    """The unpaused blocklists a profile checks: all of them while it stays in sync with the
    catalogue, else the owner's selection."""
    usable = [s for s in sources if not s.paused and s.purpose == "block"]
    if profile.sync_method == "stay_in_sync":
        return usable
    chosen = set(profile.entries)
    return [s for s in usable if s.sid in chosen]


def probe_options(
    sources: Sequence[Source], target_type: str
) -> tuple[rbl.Options, dict[str, Source]]:
    """The rbl probe's options for a host of `target_type`, and the source of each zone.

    Only lists of the host's kind are asked (an IPv4 list cannot answer for a domain). The
    lists' self-tests run separately, once per zone and a while (lookup.py)."""
    by_zone: dict[str, Source] = {}
    for source in sources:
        if source.type == target_type:
            by_zone.setdefault(source.zone, source)
    codes = {s.zone: list(s.custom_codes) for s in by_zone.values() if s.custom and s.custom_codes}
    options = rbl.Options(
        lists=list(by_zone),
        custom_codes=codes,
        timeout=LOOKUP_TIMEOUT,
        check_health=False,
    )
    return options, by_zone


def detail_entry(source: Source, result: rbl.ListResult) -> dict[str, Any]:
    """One list's answer about a host (GAPS.md's listing detail entry)."""
    return {
        "id": source.sid,
        "name": source.name,
        "host": source.zone,
        "type": source.type,
        "custom": source.custom,
        "listed": result.status == "listed",
        "status": result.status,
        "return_code": ", ".join(result.return_codes) or None,
        "details": result.reason or "; ".join(result.meanings) or result.note,
        "website": result.delisting_url or result.website,
    }


def listed_period(first_listed: datetime | None, now: datetime) -> str | None:
    """How long a host has been listed, as the earlier API wrote it: `1 day 11:37:51`."""
    if first_listed is None:
        return None
    return period_text(max(timedelta(0), now - first_listed))


def period_text(duration: timedelta) -> str:
    """A duration as the earlier API wrote how long a host has been listed: `1 day 11:37:51`."""
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    if not days:
        return clock
    return f"{days} day{'s' if days != 1 else ''} {clock}"


def host_json(row: Any, now: datetime) -> dict[str, Any]:
    """The host as events carry it: 003's host object (with the earlier version's keys, see
    GAPS.md). Faces render records.RblHost."""
    listings = list((row.listings or {}).values())
    first = as_utc(row.first_listed)
    return {
        "id": row.sid,
        "host": row.host,
        "name": row.name,
        "type": row.type,
        "parent": row.parent,
        "status": "paused" if row.paused else "active",
        "profile": row.profile_sid,
        "rbl_profile": row.profile_sid,
        "contact_group": list(row.contact_groups),
        "tags": list(row.tags),
        "listed": bool(listings),
        "listed_count": len(listings),
        "listed_details": listings,
        "first_listed": iso(first),
        "listed_period": listed_period(first, now) if listings else None,
        "last_checked": iso(row.last_checked),
        "next_check": None if row.paused else iso(row.next_run_at),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def one_off_host(value: str, target_type: str) -> dict[str, Any]:
    """The host object of a one-off check (an address or domain that is not an account host)."""
    return {"id": None, "host": value, "name": value, "type": target_type}
