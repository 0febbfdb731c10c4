"""The native API's JSON for monitored domains, their records and expiry, settings and batch
requests (Entri 002's field names: `records_non_propagated`, `request_id`, …)."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.domains.fields import RecordType
from watchwire.services.domains.records import (
    Batch,
    BatchAccepted,
    BatchResult,
    DnsRecord,
    Domain,
    DomainExpiry,
    DomainSettings,
)


@answer
class DnsRecordJson(TypedDict):
    type: RecordType
    host: str
    value: str
    ttl: int
    priority: NotRequired[str]


@answer
class ExpiryJson(TypedDict):
    status: str
    expires_at: str | None
    days_left: int | None
    registrar: str | None
    rdap_server: str | None
    checked_at: str | None
    error: str | None


@answer
class DomainJson(TypedDict):
    sid: str
    domain: str
    user_id: str | None
    status: str
    state: str
    records: list[DnsRecordJson]
    records_non_propagated: list[DnsRecordJson]
    contact_groups: list[str]
    last_checked_at: str | None
    last_error: str | None
    state_changed_at: str | None
    next_check_at: str | None
    expiry: ExpiryJson | None
    created_at: str
    updated_at: str


@answer
class SettingsJson(TypedDict):
    check_interval: int
    expiry_days: list[int]


@answer
class BatchAcceptedJson(TypedDict):
    request_id: str
    status: Literal["pending"]
    total: int


@answer
class BatchResultJson(TypedDict):
    domain: str
    status: Literal["created", "failed"]
    sid: NotRequired[str | None]
    error: NotRequired[str | None]


@answer
class BatchErrorJson(TypedDict):
    domain: str
    error: str | None


@answer
class BatchJson(TypedDict):
    request_id: str
    status: str
    total: int
    processed: int
    succeeded: int
    failed: int
    results: list[BatchResultJson]
    errors: list[BatchErrorJson]
    created_at: str
    completed_at: str | None


def dns_record(item: DnsRecord) -> DnsRecordJson:
    shown: DnsRecordJson = {
        "type": item.type,
        "host": item.host,
        "value": item.value,
        "ttl": item.ttl,
    }
    if item.priority is not None:
        shown["priority"] = item.priority
    return shown


def expiry(item: DomainExpiry) -> ExpiryJson:
    return {
        "status": item.status,
        "expires_at": isoformat_or_none(item.expires_at),
        "days_left": item.days_left,
        "registrar": item.registrar,
        "rdap_server": item.rdap_server,
        "checked_at": isoformat_or_none(item.checked_at),
        "error": item.error,
    }


def domain(item: Domain) -> DomainJson:
    return {
        "sid": item.sid,
        "domain": item.domain,
        "user_id": item.user_id,
        "status": item.status,
        "state": item.state,
        "records": [dns_record(r) for r in item.records],
        "records_non_propagated": [dns_record(r) for r in item.non_propagated],
        "contact_groups": list(item.contact_groups),
        "last_checked_at": isoformat_or_none(item.last_checked_at),
        "last_error": item.last_error,
        "state_changed_at": isoformat_or_none(item.state_changed_at),
        "next_check_at": isoformat_or_none(item.next_check_at),
        "expiry": expiry(item.expiry) if item.expiry is not None else None,
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def settings(item: DomainSettings) -> SettingsJson:
    return {"check_interval": item.check_interval_seconds, "expiry_days": list(item.expiry_days)}


def batch_accepted(item: BatchAccepted) -> BatchAcceptedJson:
    return {"request_id": item.sid, "status": item.status, "total": item.total}


def _batch_result(item: BatchResult) -> BatchResultJson:
    if item.status == "created":
        return {"domain": item.domain, "status": item.status, "sid": item.sid}
    return {"domain": item.domain, "status": item.status, "error": item.error}


def batch(item: Batch) -> BatchJson:
    return {
        "request_id": item.sid,
        "status": item.status,
        "total": item.total,
        "processed": len(item.results),
        "succeeded": item.succeeded,
        "failed": len(item.failed),
        "results": [_batch_result(r) for r in item.results],
        "errors": [{"domain": r.domain, "error": r.error} for r in item.failed],
        "created_at": isoformat(item.created_at),
        "completed_at": isoformat_or_none(item.completed_at),
    }
