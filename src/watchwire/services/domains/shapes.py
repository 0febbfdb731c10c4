"""Monitored domains, their records, expiry and batches as every face sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchwire.clock import as_utc, isoformat
from watchwire.services.domains.queries import expected_of


def _iso(value: datetime | None) -> str | None:
    return isoformat(value) if value is not None else None


def record_json(row: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"type": row.type, "host": row.host, "value": row.value, "ttl": row.ttl}
    if row.priority is not None:
        shown["priority"] = row.priority
    return shown


def domain_json(row: Any, records: list[Any], expiry: Any, now: datetime) -> dict[str, Any]:
    """A domain with its records (those missing now apart) and its expiry watch."""
    missing = set(row.missing)
    non_propagated = [
        record_json(r)
        for r, e in zip(records, expected_of(records), strict=True)
        if e.key in missing
    ]
    return {
        "sid": row.sid,
        "domain": row.domain,
        "user_id": row.user_id,
        "status": "paused" if row.paused else "active",
        "state": row.state,
        "records": [record_json(r) for r in records],
        "records_non_propagated": non_propagated,
        "contact_groups": row.contact_groups,
        "last_checked_at": _iso(row.last_checked_at),
        "last_error": row.last_error,
        "state_changed_at": _iso(row.state_changed_at),
        "next_check_at": _iso(row.next_run_at),
        "expiry": expiry_json(expiry, now),
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }


def expiry_json(row: Any, now: datetime) -> dict[str, Any] | None:
    if row is None:
        return None
    expires = as_utc(row.expires_at)
    days_left = (expires - now).days if expires else None
    return {
        "status": row.status,
        "expires_at": _iso(expires),
        "days_left": days_left,
        "registrar": row.registrar,
        "rdap_server": row.rdap_server,
        "checked_at": _iso(row.checked_at),
        "error": row.error,
    }


def batch_json(row: Any) -> dict[str, Any]:
    results = list(row.results)
    return {
        "request_id": row.sid,
        "status": row.status,
        "total": len(row.items),
        "processed": len(results),
        "succeeded": sum(1 for r in results if r.get("status") == "created"),
        "failed": sum(1 for r in results if r.get("status") == "failed"),
        "results": results,
        "errors": [
            {"domain": r.get("domain"), "error": r.get("error")}
            for r in results
            if r.get("status") == "failed"
        ],
        "created_at": isoformat(row.created_at),
        "completed_at": _iso(row.completed_at),
    }
