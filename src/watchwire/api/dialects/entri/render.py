"""The objects 002 collapses to `{ }`, in the shapes GAPS.md proposes (docs/dialects/entri.md
shows each): a domain keyed by its name with its `dnsRecords` and the last check's
`records_propagated` / `records_non_propagated` ({type, host, value}, as the webhooks carry
them); the list `{domains, total, offset, limit}`; batches by `request_id`."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.domains.records import Batch, BatchAccepted, DnsRecord, Domain, DomainList
from watchwire.services.domains.summary import DomainSummary


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


def _checked(item: DnsRecord) -> dict[str, str]:
    return {"type": item.type, "host": item.host, "value": item.value}


def domain(item: Domain) -> dict[str, Any]:
    """A domain; before its first check neither record list says anything."""
    missing = set(item.non_propagated)
    checked = item.state != "pending"
    return {
        "domain": item.domain,
        "user_id": item.user_id,
        "status": item.status,
        "state": item.state,
        "dnsRecords": [dns_record(r) for r in item.records],
        "records_propagated": [_checked(r) for r in item.records if checked and r not in missing],
        "records_non_propagated": [_checked(r) for r in item.non_propagated],
        "last_checked_at": isoformat_or_none(item.last_checked_at),
        "next_check_at": isoformat_or_none(item.next_check_at),
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def domain_list(result: DomainList) -> dict[str, Any]:
    return {
        "domains": [domain(d) for d in result.domains],
        "total": result.total,
        "offset": result.offset,
        "limit": result.limit,
    }


def records(name: str, items: list[DnsRecord]) -> dict[str, Any]:
    return {"domain": name, "dnsRecords": [dns_record(r) for r in items]}


def batch_accepted(item: BatchAccepted) -> dict[str, Any]:
    return {"request_id": item.sid, "status": item.status, "total": item.total}


def batch(item: Batch) -> dict[str, Any]:
    return {
        "request_id": item.sid,
        "status": item.status,
        "total": item.total,
        "processed": len(item.results),
        "succeeded": item.succeeded,
        "failed": len(item.failed),
        "errors": [{"domain": r.domain, "error": r.error} for r in item.failed],
        "results": [
            {"domain": r.domain, "status": r.status}
            if r.status == "created"
            else {"domain": r.domain, "status": r.status, "error": r.error}
            for r in item.results
        ],
        "created_at": isoformat(item.created_at),
        "completed_at": isoformat_or_none(item.completed_at),
    }


def summary(item: DomainSummary) -> dict[str, Any]:
    return {
        "domains": {
            "total": item.total,
            "active": item.active,
            "paused": item.paused,
            **item.states,
        },
        "records": item.records,
        "check_interval": item.check_interval_seconds,
        "last_checked_at": isoformat_or_none(item.last_checked_at),
        "next_check_at": isoformat_or_none(item.next_check_at),
    }
