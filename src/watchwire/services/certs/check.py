"""The check of one certificate monitor, the job the engine runs on schedule and the service
runs for "check now": read the certificate with the tls probe, let engine/evaluate_certs
decide the new state and the events, and write state, active errors, events (with their
deliveries, through the outbox) and the end of the lease in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.engine import leases
from watchwire.engine.evaluate_certs import CertState, Profile, Reading, Verdict, evaluate
from watchwire.errors import ProbeError
from watchwire.events.store import record_event
from watchwire.ids import new_sid
from watchwire.probes import get_probe
from watchwire.probes.base import Finding, ProbeContext
from watchwire.services.certs.spec import error_json, monitor_summary, profile_of
from watchwire.store.database import Connection, Database
from watchwire.store.tables_certs import cert_errors, cert_monitors, cert_profiles

PROBE_TIMEOUT = 10.0
# A claim outlasts the slowest check: handshake, legacy handshakes, revocation fetches, CAA.
LEASE_SECONDS = 120.0
# Checks in flight per worker: each is one TLS handshake (a few with legacy versions).
CONCURRENCY = 100


def target_of(hostname: str) -> str:
    return f"[{hostname}]" if ":" in hostname else hostname


def describe(type: str, row: Any, data: dict[str, Any]) -> str:
    where = f"{row.name} ({row.protocol} {target_of(row.hostname)})"
    if type == "cert.expiration.trigger":
        days = data["expiry_days"]
        if days < 0:
            return f"The certificate of {where} expired {-days} day(s) ago."
        return f"The certificate of {where} expires in {days} day(s)."
    if type == "cert.expiration.resolve":
        return f"The certificate of {where} was renewed; it expires in {data['expiry_days']} days."
    if type == "cert.changed":
        return f"The certificate of {where} changed to {data['new_fingerprint']}."
    if type == "cert.error.trigger":
        return f"New certificate errors on {where}: " + "; ".join(
            e["message"] for e in data["errors"]
        )
    return f"Certificate errors resolved on {where}: " + "; ".join(
        e["message"] for e in data["resolved_errors"]
    )


async def read_certificate(
    row: Any, profile: Profile, ctx: ProbeContext
) -> tuple[Reading, str, dict[str, Any] | None]:
    """Run the tls probe against the monitor: (reading, probe outcome, leaf summary). A target
    the policy refuses is a connection failure of this monitor, not an exception."""
    probe, options_model = get_probe("tls")
    options = options_model(
        protocol=row.protocol,
        port=row.port,
        timeout=PROBE_TIMEOUT,
        check_revocation=profile.alert_on_ca_failure,
        check_legacy_versions=profile.alert_on_misconfigurations,
        check_caa=profile.alert_on_caa_failure,
    )
    try:
        result: Any = await probe(target_of(row.hostname), options, ctx)
    except ProbeError as exc:
        refused = Finding(
            code="target_not_allowed",
            severity="critical",
            message=str(exc),
            details={"category": "connection_failure"},
        )
        return Reading(None, None, [refused]), "error", None
    if not result.chain:
        return Reading(None, None, result.findings), result.outcome, None
    leaf = result.chain[0]
    reading = Reading(
        leaf.fingerprint_sha256, datetime.fromisoformat(leaf.not_after), result.findings
    )
    summary = {
        key: getattr(leaf, key)
        for key in ("fingerprint_sha256", "subject", "issuer", "sans", "not_before", "not_after")
    }
    return reading, result.outcome, summary


class CertCheckJob:
    """The scheduled job of certificate monitors (engine/jobs.py's `Job`)."""

    name = "cert monitors"
    table = cert_monitors
    lease_seconds = LEASE_SECONDS
    concurrency = CONCURRENCY

    def __init__(self, db: Database, clock: Clock, probe_ctx: ProbeContext) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx

    async def run(self, row: Any, owner: str) -> None:
        """Check one claimed monitor and write the outcome; LeaseLost (nothing written) when
        another worker took the row meanwhile."""
        async with self.db.connect() as conn:
            profile_row = (
                await conn.execute(
                    sa.select(cert_profiles).where(cert_profiles.c.sid == row.profile_sid)
                )
            ).first()
        profile = profile_of(profile_row)
        reading, outcome, summary = await read_certificate(row, profile, self.probe_ctx)
        now = self.clock.now()
        previous = CertState(
            row.fingerprint, row.expiry_bracket, {e["code"]: e for e in row.errors}
        )
        verdict = evaluate(previous, reading, profile, now, lambda: new_sid("cert_error"))
        state = verdict.state
        values: dict[str, Any] = {
            "fingerprint": state.fingerprint,
            "expiry_bracket": state.bracket,
            "errors": list(state.errors.values()),
            "last_checked_at": now,
            "last_outcome": outcome,
        }
        if reading.not_after is not None:
            values.update(not_after=reading.not_after.isoformat(), certificate=summary)
        async with self.db.transaction() as conn:
            next_run = now + timedelta(seconds=row.interval_seconds)
            if not await leases.complete(conn, cert_monitors, row.sid, owner, next_run, **values):
                raise leases.LeaseLost
            await _write_errors(conn, row, verdict, now)
            for emit in verdict.events:
                await _record(conn, row, emit.type, emit.data, now)


async def _write_errors(conn: Connection, row: Any, verdict: Verdict, now: datetime) -> None:
    """Bring the monitor's rows of the active list in line with the verdict."""
    if verdict.resolved_errors:
        ids = [e["id"] for e in verdict.resolved_errors]
        await conn.execute(cert_errors.delete().where(cert_errors.c.sid.in_(ids)))
    new_ids = {e["id"] for e in verdict.new_errors}
    ongoing = [e for e in verdict.state.errors.values() if e["id"] not in new_ids]
    if ongoing:
        await conn.execute(
            cert_errors.update()
            .where(cert_errors.c.sid == sa.bindparam("b_sid"))
            .values(
                severity=sa.bindparam("b_severity"),
                message=sa.bindparam("b_message"),
                last_seen=sa.bindparam("b_last_seen"),
            ),
            [
                {
                    "b_sid": e["id"],
                    "b_severity": e["severity"],
                    "b_message": e["message"],
                    # Unchanged for errors kept while the certificate could not be read.
                    "b_last_seen": datetime.fromisoformat(e["last_seen"]),
                }
                for e in ongoing
            ],
        )
    if verdict.new_errors:
        await conn.execute(
            cert_errors.insert(),
            [
                {
                    "sid": e["id"],
                    "account_sid": row.account_sid,
                    "monitor_sid": row.sid,
                    "code": e["code"],
                    "error_type": e["error_type"],
                    "severity": e["severity"],
                    "message": e["message"],
                    "first_seen": now,
                    "last_seen": now,
                }
                for e in verdict.new_errors
            ],
        )


async def _record(
    conn: Connection, row: Any, type: str, data: dict[str, Any], now: datetime
) -> None:
    payload: dict[str, Any] = {"monitor": monitor_summary(row)}
    for key, value in data.items():
        is_list = key in ("errors", "resolved_errors", "current_errors")
        payload[key] = [error_json(e, row) for e in value] if is_list else value
    await record_event(
        conn,
        account_sid=row.account_sid,
        type=type,
        description=describe(type, row, data),
        payload=payload,
        now=now,
        resource_type="cert_monitor",
        resource_sid=row.sid,
        contact_groups=list(row.contact_groups),
    )
