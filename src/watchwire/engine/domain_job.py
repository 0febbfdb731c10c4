"""The scheduled work of monitored domains: record checks (hourly by default, per account in
its domain settings), expiry checks over RDAP (daily) and batch creation requests.

Each function runs one claimed row and, in one transaction, completes the lease and writes
the state change with its events (events.store.record_event), so a check whose lease was
lost meanwhile writes nothing. Lookups go through the dns probe's `resolve_rrset`, aimed
at the runtime's resolver (`ctx.resolver`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import dns.name
import dns.rdatatype
import dns.rrset
import sqlalchemy as sa

from watchwire.engine import leases
from watchwire.engine.evaluate_domains import (
    EXPIRED,
    ExpectedRecord,
    RecordVerdict,
    canonical,
    evaluate_expiry,
    evaluate_records,
    expiry_status,
)
from watchwire.engine.jobs import Job
from watchwire.errors import ProbeError, WatchwireError
from watchwire.events.store import record_event
from watchwire.probes.dns import dns as dns_probe
from watchwire.probes.rdap import rdap
from watchwire.store.tables_domains import domain_batches, domain_expiry, monitored_domains

if TYPE_CHECKING:
    from watchwire.runtime import Runtime
    from watchwire.services.domains import DomainService

LOOKUP_TIMEOUT = 5.0
RECORDS_LEASE = 120.0
EXPIRY_LEASE = 120.0
BATCH_LEASE = 300.0
EXPIRY_INTERVAL = timedelta(days=1)
# A resolver or registry that did not answer is asked again sooner than the usual interval.
ERROR_RETRY = timedelta(minutes=5)
EXPIRY_ERROR_RETRY = timedelta(hours=6)
BATCH_CHUNK = 25


def query_name(domain: str, host: str) -> dns.name.Name:
    if host in ("@", ""):
        return dns.name.from_text(domain)
    return dns.name.from_text(f"{host}.{domain}")


def answer_values(rtype: str, rrset: dns.rrset.RRset | None) -> list[str]:
    """The answers in the canonical form of evaluate_domains."""
    if rrset is None:
        return []
    values = []
    for rdata in rrset:
        if rtype == "TXT":
            values.append(b"".join(rdata.strings).decode("utf-8", errors="replace"))
        else:
            values.append(canonical(rtype, rdata.to_text()))
    return values


async def observe(
    domain: str, expected: list[ExpectedRecord], service: DomainService
) -> dict[str, list[str]]:
    """The canonical answers per lookup key ("A www") of the expected records. Raises
    ProbeError when the resolver fails (timeout, SERVFAIL …): that decides nothing."""
    lookups = {r.lookup: (r.type, r.host) for r in expected}

    async def one(rtype: str, host: str) -> list[str]:
        rrset = await dns_probe.resolve_rrset(
            query_name(domain, host), rtype, service.probe_ctx, timeout=LOOKUP_TIMEOUT
        )
        return answer_values(rtype, rrset)

    answers = await asyncio.gather(*(one(t, h) for t, h in lookups.values()))
    return dict(zip(lookups, answers, strict=True))


def subdomain_of(records: list[ExpectedRecord]) -> str:
    """002's `subdomain`: the host the event's records share, when it is not the apex."""
    hosts = {r.host for r in records}
    return hosts.pop() if len(hosts) == 1 and "@" not in hosts else ""


def _record_event_payload(
    row: Any, verdict: RecordVerdict, observed: dict[str, list[str]]
) -> dict[str, Any]:
    concerned = verdict.non_propagated if verdict.non_propagated else verdict.propagated
    newly = [r for r in verdict.non_propagated if r.key in verdict.newly_missing]
    return {
        "domain": row.domain,
        "subdomain": subdomain_of(newly or concerned),
        "user_id": row.user_id,
        "domain_sid": row.sid,
        "data": {
            "records_propagated": [r.to_json() for r in verdict.propagated],
            "records_non_propagated": [r.to_json() for r in verdict.non_propagated],
        },
        # What changed in this check, with what the DNS answered instead.
        "newly_missing": [{**r.to_json(), "found": observed.get(r.lookup, [])} for r in newly],
    }


def _description(row: Any, verdict: RecordVerdict, observed: dict[str, list[str]]) -> str:
    if verdict.event == "domain.record_restored":
        return f"All {len(verdict.propagated)} monitored DNS records of {row.domain} are back."
    parts = []
    for record in verdict.non_propagated:
        if record.key not in verdict.newly_missing:
            continue
        found = observed.get(record.lookup, [])
        name = row.domain if record.host == "@" else f"{record.host}.{row.domain}"
        seen = f"found {', '.join(found)}" if found else "no such record"
        parts.append(f"{record.type} {name} should be {record.value} ({seen})")
    return f"DNS records of {row.domain} missing or changed: " + "; ".join(parts) + "."


async def check_records(service: DomainService, row: Any, owner: str) -> None:
    """Check one claimed domain's records and write the outcome (see evaluate_domains)."""
    from watchwire.services.domains import expected_of

    db, clock = service.db, service.clock
    async with db.connect() as conn:
        expected = expected_of(await service.records_of(conn, row.sid))
        interval = timedelta(
            seconds=(await service.settings_of(conn, row.account_sid))["check_interval"]
        )
    try:
        observed = await observe(row.domain, expected, service)
    except ProbeError as exc:
        now = clock.now()
        async with db.transaction() as conn:
            await leases.complete(
                conn,
                monitored_domains,
                row.sid,
                owner,
                now + min(interval, ERROR_RETRY),
                state="error",
                last_error=exc.message,
                last_checked_at=now,
                state_changed_at=now if row.state != "error" else row.state_changed_at,
            )
        return
    verdict = evaluate_records(expected, observed, row.state, row.missing)
    now = clock.now()
    changed = verdict.state != row.state
    async with db.transaction() as conn:
        done = await leases.complete(
            conn,
            monitored_domains,
            row.sid,
            owner,
            now + interval,
            state=verdict.state,
            missing=verdict.missing,
            observed=observed,
            last_checked_at=now,
            last_error=None,
            state_changed_at=now if changed else row.state_changed_at,
        )
        if not done or verdict.event is None:
            return
        await record_event(
            conn,
            account_sid=row.account_sid,
            type=verdict.event,
            description=_description(row, verdict, observed),
            payload=_record_event_payload(row, verdict, observed),
            now=now,
            resource_type="domain",
            resource_sid=row.sid,
            contact_groups=list(row.contact_groups),
        )


def _expiry_options(service: DomainService) -> rdap.Options:
    override = service.settings.rdap_bootstrap_file
    return rdap.Options(bootstrap_file=override if override.exists() else None)


async def check_expiry(service: DomainService, row: Any, owner: str) -> None:
    """Read one claimed domain's registration over RDAP and announce crossed thresholds."""
    db, clock = service.db, service.clock
    try:
        result = await rdap.probe(row.domain, _expiry_options(service), service.probe_ctx)
    except ProbeError as exc:
        result = rdap.Result(
            target=row.domain,
            domain=row.domain,
            outcome="error",
            status="error",
            reason=exc.message,
        )
    now = clock.now()
    async with db.connect() as conn:
        thresholds = (await service.settings_of(conn, row.account_sid))["expiry_days"]
        user_id = (
            await conn.execute(
                sa.select(monitored_domains.c.user_id, monitored_domains.c.contact_groups).where(
                    monitored_domains.c.sid == row.sid
                )
            )
        ).first()
    values: dict[str, Any] = {
        "checked_at": now,
        "rdap_server": result.rdap_server,
        "registrar": result.registrar,
        "error": result.reason,
    }
    event: dict[str, Any] | None = None
    if result.days_left is not None and result.expires_at is not None:
        verdict = evaluate_expiry(result.days_left, thresholds, row.bracket)
        values.update(
            status=expiry_status(result.days_left, thresholds),
            expires_at=datetime.fromisoformat(result.expires_at.replace("Z", "+00:00")),
            bracket=verdict.bracket,
            error=None,
        )
        if verdict.event:
            event = {
                "domain": row.domain,
                "subdomain": "",
                "user_id": user_id.user_id if user_id else None,
                "domain_sid": row.sid,
                "expires_at": result.expires_at,
                "days_left": result.days_left,
                "threshold": verdict.threshold,
                "expired": verdict.bracket == EXPIRED,
                "registrar": result.registrar,
                "rdap_server": result.rdap_server,
            }
        next_run = now + EXPIRY_INTERVAL
    else:
        values["status"] = {"unknown": "unknown", "not_found": "not_found"}.get(
            result.status, "error"
        )
        next_run = now + (EXPIRY_INTERVAL if values["status"] != "error" else EXPIRY_ERROR_RETRY)
    async with db.transaction() as conn:
        done = await leases.complete(conn, domain_expiry, row.sid, owner, next_run, **values)
        if not done or event is None:
            return
        when = "has expired" if event["expired"] else f"expires in {result.days_left} days"
        await record_event(
            conn,
            account_sid=row.account_sid,
            type="domain.expiring",
            description=f"The registration of {row.domain} {when} ({result.expires_at}).",
            payload=event,
            now=now,
            resource_type="domain",
            resource_sid=row.sid,
            contact_groups=list(user_id.contact_groups) if user_id else [],
        )


async def process_batch(service: DomainService, row: Any, owner: str) -> None:
    """Create a batch's domains in order, a chunk per transaction, so a batch interrupted by
    a restart continues where it stopped."""
    from watchwire.services.domains import DomainIn, _validate

    db, clock = service.db, service.clock
    items = list(row.items)
    results = list(row.results)
    while len(results) < len(items):
        now = clock.now()
        chunk = items[len(results) : len(results) + BATCH_CHUNK]
        async with db.transaction() as conn:
            for item in chunk:
                name = str(item.get("domain", "")) if isinstance(item, dict) else ""
                try:
                    fields = _validate(DomainIn, item)
                    # insert_domain checks everything before its first write, so a
                    # refused item leaves nothing behind in the shared transaction.
                    sid = await service.insert_domain(conn, row.account_sid, fields, now)
                    results.append({"domain": fields.domain, "status": "created", "sid": sid})
                except WatchwireError as exc:
                    results.append({"domain": name, "status": "failed", "error": exc.message})
            finished = len(results) >= len(items)
            status = "processing"
            if finished:
                status = "failed" if all(r["status"] == "failed" for r in results) else "completed"
            lease_left = now + timedelta(seconds=BATCH_LEASE)
            kept = await conn.execute(
                domain_batches.update()
                .where(domain_batches.c.sid == row.sid, domain_batches.c.lease_owner == owner)
                .values(
                    results=results,
                    status=status,
                    paused=finished,
                    completed_at=now if finished else None,
                    lease_owner=None if finished else owner,
                    lease_expires_at=None if finished else lease_left,
                )
            )
            if not kept.rowcount:
                # Another worker took the batch over: undo this chunk, leave it to them.
                raise _LeaseLost
        if finished:
            return


class _LeaseLost(Exception):
    pass


async def _run_records(runtime: Runtime, row: Any, owner: str) -> None:
    await check_records(runtime.domains, row, owner)


async def _run_expiry(runtime: Runtime, row: Any, owner: str) -> None:
    await check_expiry(runtime.domains, row, owner)


async def _run_batch(runtime: Runtime, row: Any, owner: str) -> None:
    try:
        await process_batch(runtime.domains, row, owner)
    except _LeaseLost:
        return


DOMAIN_RECORDS_JOB = Job("domain records", monitored_domains, RECORDS_LEASE, _run_records, 50)
DOMAIN_EXPIRY_JOB = Job("domain expiry", domain_expiry, EXPIRY_LEASE, _run_expiry, 10)
DOMAIN_BATCH_JOB = Job("domain batches", domain_batches, BATCH_LEASE, _run_batch, 2)
DOMAIN_JOBS = [DOMAIN_RECORDS_JOB, DOMAIN_EXPIRY_JOB, DOMAIN_BATCH_JOB]
