"""The native API's JSON for blocklist hosts, profiles and sources. 000 has no document for
them, so v1 shows them as 003 does (the SID as `id`, `contact_group`, the earlier version's
`rbl_profile` and `listed_period`, see GAPS.md)."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.rbl.model import Source, period_text
from watchwire.services.rbl.records import (
    CheckStatus,
    RblCheck,
    RblCheckStarted,
    RblHost,
    RblListing,
    RblProfile,
)


@answer
class ListingJson(TypedDict):
    id: str
    name: str
    host: str
    type: str
    custom: bool
    listed: bool
    status: str
    return_code: str | None
    details: str | None
    website: str | None


@answer
class RblHostJson(TypedDict):
    id: str
    host: str
    name: str
    type: str
    parent: str | None
    status: str
    profile: str
    rbl_profile: str
    contact_group: list[str]
    tags: list[str]
    listed: bool
    listed_count: int
    listed_details: list[ListingJson]
    first_listed: str | None
    listed_period: str | None
    last_checked: str | None
    next_check: str | None
    created_at: str
    updated_at: str


@answer
class RblProfileJson(TypedDict):
    id: str
    name: str
    entries: list[str]
    frequency: str
    sync_method: Literal["stay_in_sync", "use_my_selections"]
    is_default: bool
    created_at: str
    updated_at: str


@answer
class RblSourceJson(TypedDict):
    id: str
    host: str
    name: str
    type: str
    custom: bool
    custom_codes: list[str]
    status: Literal["active", "paused"]
    purpose: str
    website: str | None
    delisting_url: str | None
    created_at: str | None


@answer
class CheckedListJson(TypedDict):
    id: str
    type: str
    custom: bool
    host: str


@answer
class RblCheckStartedJson(TypedDict):
    id: str
    status: CheckStatus
    host: str
    host_id: str | None
    callback: str | None
    callback_secret: str | None
    created_at: str
    rbls: NotRequired[list[CheckedListJson]]


@answer
class RblCheckJson(TypedDict):
    id: str
    status: CheckStatus
    host: str
    host_id: str | None
    listed: bool | None
    listed_count: int | None
    checked_count: int
    total_count: int
    error: str | None
    callback: str | None
    created_at: str
    completed_at: str | None
    details: NotRequired[list[ListingJson]]


def rbl_listing(item: RblListing) -> ListingJson:
    return {
        "id": item.source_sid,
        "name": item.name,
        "host": item.zone,
        "type": item.type,
        "custom": item.custom,
        "listed": item.listed,
        "status": item.status,
        "return_code": item.return_code,
        "details": item.details,
        "website": item.website,
    }


def rbl_host(item: RblHost) -> RblHostJson:
    return {
        "id": item.sid,
        "host": item.host,
        "name": item.name,
        "type": item.type,
        "parent": item.parent,
        "status": item.status,
        "profile": item.profile_sid,
        "rbl_profile": item.profile_sid,
        "contact_group": list(item.contact_groups),
        "tags": list(item.tags),
        "listed": item.listed,
        "listed_count": len(item.listings),
        "listed_details": [rbl_listing(e) for e in item.listings],
        "first_listed": isoformat_or_none(item.first_listed),
        "listed_period": period_text(item.listed_for) if item.listed_for is not None else None,
        "last_checked": isoformat_or_none(item.last_checked_at),
        "next_check": isoformat_or_none(item.next_check_at),
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def rbl_profile(item: RblProfile) -> RblProfileJson:
    return {
        "id": item.sid,
        "name": item.name,
        "entries": list(item.entries),
        "frequency": item.frequency,
        "sync_method": item.sync_method,
        "is_default": item.is_default,
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def rbl_source(item: Source) -> RblSourceJson:
    return {
        "id": item.sid,
        "host": item.zone,
        "name": item.name,
        "type": item.type,
        "custom": item.custom,
        "custom_codes": list(item.custom_codes),
        "status": item.status,
        "purpose": item.purpose,
        "website": item.website,
        "delisting_url": item.delisting_url,
        "created_at": isoformat_or_none(item.created_at),
    }


def rbl_check_started(item: RblCheckStarted) -> RblCheckStartedJson:
    shown: RblCheckStartedJson = {
        "id": item.sid,
        "status": item.status,
        "host": item.host,
        "host_id": item.host_sid,
        "callback": item.callback_url,
        "callback_secret": item.callback_secret,
        "created_at": isoformat(item.created_at),
    }
    if item.sources is not None:
        shown["rbls"] = [
            {"id": s.sid, "type": s.type, "custom": s.custom, "host": s.zone} for s in item.sources
        ]
    return shown


def rbl_check(item: RblCheck) -> RblCheckJson:
    shown: RblCheckJson = {
        "id": item.sid,
        "status": item.status,
        "host": item.host,
        "host_id": item.host_sid,
        "listed": item.listed,
        "listed_count": item.listed_count,
        "checked_count": item.checked_count,
        "total_count": item.total_count,
        "error": item.error,
        "callback": item.callback_url,
        "created_at": isoformat(item.created_at),
        "completed_at": isoformat_or_none(item.completed_at),
    }
    if item.details is not None:
        shown["details"] = [rbl_listing(e) for e in item.details]
    return shown
