"""The record check of monitored domains (the `domain records` job, hourly by default, per
account in its domain settings; also "check now"): ask the resolver for every expected record,
let engine/evaluate_domains decide missing/restored, and write the state, its event and the end
of the lease in one transaction, so a check whose lease was lost meanwhile writes nothing.

Lookups go through the dns probe's `resolve_rrset`, aimed at the configured resolver
(`probe_ctx.resolver`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import dns.name
import dns.rdatatype
import dns.rrset

from watchwire.clock import Clock
from watchwire.config import Settings
from watchwire.engine import leases
from watchwire.engine.evaluate_domains import (
    ExpectedRecord,
    RecordVerdict,
    canonical,
    evaluate_records,
)
from watchwire.errors import ProbeError
from watchwire.events.store import record_event
from watchwire.probes.base import ProbeContext
from watchwire.probes.dns import dns as dns_probe
from watchwire.services.domains.queries import expected_of, records_of, settings_of
from watchwire.store.database import Database
from watchwire.store.tables_domains import monitored_domains

LOOKUP_TIMEOUT = 5.0
LEASE_SECONDS = 120.0
# A resolver that did not answer is asked again sooner than the usual interval.
ERROR_RETRY = timedelta(minutes=5)


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
    domain: str, expected: list[ExpectedRecord], ctx: ProbeContext
) -> dict[str, list[str]]:
    """The canonical answers per lookup key ("A www") of the expected records. Raises
    ProbeError when the resolver fails (timeout, SERVFAIL …): that decides nothing."""
    lookups = {r.lookup: (r.type, r.host) for r in expected}

    async def one(rtype: str, host: str) -> list[str]:
        rrset = await dns_probe.resolve_rrset(
            query_name(domain, host), rtype, ctx, timeout=LOOKUP_TIMEOUT
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


class DomainRecordsJob:
    """The scheduled record check of monitored domains (engine/jobs.py's `Job`)."""

    name = "domain records"
    table = monitored_domains
    lease_seconds = LEASE_SECONDS
    concurrency = 50

    def __init__(
        self, db: Database, clock: Clock, probe_ctx: ProbeContext, defaults: Settings
    ) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx
        self.defaults = defaults

    async def run(self, row: Any, owner: str) -> None:
        """Check one claimed domain's records and write the outcome (see evaluate_domains).
        A resolver that fails (timeout, SERVFAIL …) decides nothing: the state is `error`
        until the next check, which comes sooner."""
        async with self.db.connect() as conn:
            expected = expected_of(await records_of(conn, row.sid))
            account = await settings_of(conn, row.account_sid, self.defaults)
        interval = timedelta(seconds=account.check_interval_seconds)
        try:
            observed = await observe(row.domain, expected, self.probe_ctx)
        except ProbeError as exc:
            await self._failed(row, owner, exc.message, min(interval, ERROR_RETRY))
            return
        verdict = evaluate_records(expected, observed, row.state, row.missing)
        now = self.clock.now()
        changed = verdict.state != row.state
        async with self.db.transaction() as conn:
            if not await leases.complete(
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
            ):
                raise leases.LeaseLost
            if verdict.event is None:
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

    async def _failed(self, row: Any, owner: str, error: str, retry: timedelta) -> None:
        now = self.clock.now()
        async with self.db.transaction() as conn:
            if not await leases.complete(
                conn,
                monitored_domains,
                row.sid,
                owner,
                now + retry,
                state="error",
                last_error=error,
                last_checked_at=now,
                state_changed_at=now if row.state != "error" else row.state_changed_at,
            ):
                raise leases.LeaseLost
