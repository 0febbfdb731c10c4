"""What the blocklist service answers about hosts, profiles and manual checks (sources are
model.Source).
Faces render these (api/native/render_rbl.py, the Generator Labs dialect's render.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from watchwire.clock import as_utc
from watchwire.services.rbl.model import Source

RblStatus = Literal["active", "paused"]


@dataclass(frozen=True, slots=True)
class RblListing:
    """One list's answer about a host: on it (`listed`), or why not (`status`)."""

    source_sid: str
    name: str
    # The list's DNS zone.
    zone: str
    type: str
    custom: bool
    listed: bool
    status: str
    return_code: str | None
    details: str | None
    # Where to ask for delisting (else the list's website).
    website: str | None


@dataclass(frozen=True, slots=True)
class RblHost:
    """A monitored address or domain (`type` ip_range with `parent` when it came from a
    subnet or range) and the lists it is on. `listed_for` is how long it has been listed,
    None when it is not; `next_check_at` is None while paused."""

    sid: str
    host: str
    name: str
    type: str
    parent: str | None
    paused: bool
    profile_sid: str
    contact_groups: tuple[str, ...]
    tags: tuple[str, ...]
    listings: tuple[RblListing, ...]
    first_listed: datetime | None
    listed_for: timedelta | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> RblStatus:
        return "paused" if self.paused else "active"

    @property
    def listed(self) -> bool:
        return bool(self.listings)


@dataclass(frozen=True, slots=True)
class RblProfile:
    """Which lists are checked (all while `stay_in_sync`, else `entries`) and how often."""

    sid: str
    name: str
    entries: tuple[str, ...]
    frequency: str
    sync_method: Literal["stay_in_sync", "use_my_selections"]
    is_default: bool
    created_at: datetime
    updated_at: datetime


def listing_record(entry: dict[str, Any]) -> RblListing:
    """A stored detail entry (model.detail_entry's shape)."""
    return RblListing(
        source_sid=entry["id"],
        name=entry["name"],
        zone=entry["host"],
        type=entry["type"],
        custom=bool(entry["custom"]),
        listed=bool(entry["listed"]),
        status=entry["status"],
        return_code=entry["return_code"],
        details=entry["details"],
        website=entry["website"],
    )


def host_record(row: Any, now: datetime) -> RblHost:
    listings = tuple(listing_record(e) for e in (row.listings or {}).values())
    first = as_utc(row.first_listed) if row.first_listed is not None else None
    listed_for = None
    if listings and first is not None:
        listed_for = max(timedelta(0), now - first)
    return RblHost(
        sid=row.sid,
        host=row.host,
        name=row.name,
        type=row.type,
        parent=row.parent,
        paused=bool(row.paused),
        profile_sid=row.profile_sid,
        contact_groups=tuple(row.contact_groups),
        tags=tuple(row.tags),
        listings=listings,
        first_listed=first,
        listed_for=listed_for,
        last_checked_at=row.last_checked,
        next_check_at=None if row.paused else row.next_run_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def profile_record(row: Any) -> RblProfile:
    return RblProfile(
        sid=row.sid,
        name=row.name,
        entries=tuple(row.entries),
        frequency=row.frequency,
        sync_method=row.sync_method,
        is_default=bool(row.is_default),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


CheckStatus = Literal["pending", "running", "completed"]


@dataclass(frozen=True, slots=True)
class RblCheckStarted:
    """A queued manual check. `callback_secret` signs the callback (shown only here);
    `sources` are the lists it will ask, when the caller wanted them (else None)."""

    sid: str
    status: CheckStatus
    host: str
    # The account's host of that value, if it monitors one.
    host_sid: str | None
    callback_url: str | None
    callback_secret: str | None
    created_at: datetime
    sources: tuple[Source, ...] | None


@dataclass(frozen=True, slots=True)
class RblCheck:
    """A manual check and, once completed, what it found (`listed` None until then);
    `details` is every list's answer, when the caller wanted them (else None)."""

    sid: str
    status: CheckStatus
    host: str
    host_sid: str | None
    listed: bool | None
    listed_count: int | None
    checked_count: int
    total_count: int
    error: str | None
    callback_url: str | None
    created_at: datetime
    completed_at: datetime | None
    details: tuple[RblListing, ...] | None


def check_record(row: Any, *, details: bool) -> RblCheck:
    result = row.result or {}
    return RblCheck(
        sid=row.sid,
        status=row.status,
        host=row.host,
        host_sid=row.host_sid,
        listed=result.get("listed"),
        listed_count=result.get("listed_count"),
        checked_count=result.get("checked_count", 0),
        total_count=result.get("total_count", 0),
        error=row.error,
        callback_url=row.callback_url,
        created_at=row.created_at,
        completed_at=row.completed_at,
        details=tuple(listing_record(e) for e in result.get("details", [])) if details else None,
    )
