"""The native API's JSON for monitored domains, their records and expiry, settings and batch
requests (Entri 002's field names: `records_non_propagated`, `request_id`, …)."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.domains.records import (
    Batch,
    BatchAccepted,
    BatchResult,
    DnsRecord,
    Domain,
    DomainExpiry,
    DomainSettings,
)


def dns_record(item: DnsRecord) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "type": item.type,
        "host": item.host,
        "value": item.value,
        "ttl": item.ttl,
    }
    if item.priority is not None:
        shown["priority"] = item.priority
    return shown


def expiry(item: DomainExpiry) -> dict[str, Any]:
    return {
        "status": item.status,
        "expires_at": isoformat_or_none(item.expires_at),
        "days_left": item.days_left,
        "registrar": item.registrar,
        "rdap_server": item.rdap_server,
        "checked_at": isoformat_or_none(item.checked_at),
        "error": item.error,
    }


def domain(item: Domain) -> dict[str, Any]:
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


def settings(item: DomainSettings) -> dict[str, Any]:
    return {"check_interval": item.check_interval_seconds, "expiry_days": list(item.expiry_days)}


def batch_accepted(item: BatchAccepted) -> dict[str, Any]:
    return {"request_id": item.sid, "status": item.status, "total": item.total}


def _batch_result(item: BatchResult) -> dict[str, Any]:
    if item.status == "created":
        return {"domain": item.domain, "status": item.status, "sid": item.sid}
    return {"domain": item.domain, "status": item.status, "error": item.error}


def batch(item: Batch) -> dict[str, Any]:
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
