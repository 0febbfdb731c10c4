"""What the domains service answers: monitored domains with their records and expiry watch,
the account's settings, batch requests. Faces render these (api/native/render_domains.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from watchwire.clock import as_utc
from watchwire.engine.evaluate_domains import ExpectedRecord
from watchwire.services.domains.fields import RecordType

DomainStatus = Literal["active", "paused"]


@dataclass(frozen=True, slots=True)
class DnsRecord:
    """A record the domain is expected to publish: `host` is `@` or relative to the domain;
    `priority` (MX and SRV only) is the digits 002 sends, kept as text."""

    type: RecordType
    host: str
    value: str
    ttl: int
    priority: str | None


@dataclass(frozen=True, slots=True)
class DomainExpiry:
    """The registration's expiry as RDAP last told it (`days_left` None when unknown)."""

    status: str
    expires_at: datetime | None
    days_left: int | None
    registrar: str | None
    rdap_server: str | None
    checked_at: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Domain:
    """A monitored domain: its records (`non_propagated`: those missing now), the state of
    the last record check (pending, ok, missing, error) and the expiry watch."""

    sid: str
    domain: str
    user_id: str | None
    paused: bool
    state: str
    records: tuple[DnsRecord, ...]
    non_propagated: tuple[DnsRecord, ...]
    contact_groups: tuple[str, ...]
    last_checked_at: datetime | None
    last_error: str | None
    state_changed_at: datetime | None
    next_check_at: datetime | None
    expiry: DomainExpiry | None
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> DomainStatus:
        return "paused" if self.paused else "active"


@dataclass(frozen=True, slots=True)
class DomainList:
    """One page of 002's list: `total` domains in all, from `offset`, at most `limit`."""

    domains: tuple[Domain, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class DomainSettings:
    """The account's record-check interval and expiry thresholds (days)."""

    check_interval_seconds: int
    expiry_days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BatchAccepted:
    """A batch request queued: `total` domains to create."""

    sid: str
    status: Literal["pending"]
    total: int


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One item of a batch: created (as `sid`) or failed (with `error`)."""

    domain: str
    status: Literal["created", "failed"]
    sid: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch request and the outcome of the items processed so far."""

    sid: str
    status: str
    total: int
    results: tuple[BatchResult, ...]
    created_at: datetime
    completed_at: datetime | None

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.results if r.status == "created")

    @property
    def failed(self) -> tuple[BatchResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")


def dns_record(row: Any) -> DnsRecord:
    return DnsRecord(
        type=row.type, host=row.host, value=row.value, ttl=row.ttl, priority=row.priority
    )


def expiry_record(row: Any, now: datetime) -> DomainExpiry:
    expires = as_utc(row.expires_at)
    return DomainExpiry(
        status=row.status,
        expires_at=expires,
        days_left=(expires - now).days if expires else None,
        registrar=row.registrar,
        rdap_server=row.rdap_server,
        checked_at=row.checked_at,
        error=row.error,
    )


def domain_record(row: Any, records: list[Any], expiry: Any, now: datetime) -> Domain:
    """A domain with its records (those missing now apart) and its expiry watch."""
    missing = set(row.missing)
    non_propagated = tuple(
        dns_record(r)
        for r in records
        if ExpectedRecord(r.type, r.host, r.value, r.priority).key in missing
    )
    return Domain(
        sid=row.sid,
        domain=row.domain,
        user_id=row.user_id,
        paused=bool(row.paused),
        state=row.state,
        records=tuple(dns_record(r) for r in records),
        non_propagated=non_propagated,
        contact_groups=tuple(row.contact_groups),
        last_checked_at=row.last_checked_at,
        last_error=row.last_error,
        state_changed_at=row.state_changed_at,
        next_check_at=row.next_run_at,
        expiry=expiry_record(expiry, now) if expiry is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def batch_record(row: Any) -> Batch:
    results = tuple(
        BatchResult(
            domain=r.get("domain"),
            status=r.get("status"),
            sid=r.get("sid"),
            error=r.get("error"),
        )
        for r in row.results
    )
    return Batch(
        sid=row.sid,
        status=row.status,
        total=len(row.items),
        results=results,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )
