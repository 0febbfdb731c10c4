"""Writing a batch of finished checks in one transaction: each monitor's new state and
schedule, the raw results, the hourly rollups, downtimes, and the events of state changes
(through `record_event`, so the outbox rows of their deliveries join the same transaction).

Only monitors still leased to this worker are written: a result whose lease expired (the
worker stalled and another took over) is discarded rather than counted twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc
from watchwire.engine import apdex_drop, domain_watch, ssl_record, ssl_watch
from watchwire.engine.evaluate_uptime import (
    UptimeEvaluator,
    UptimeRules,
    UptimeState,
)
from watchwire.engine.kinds import get_kind
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.mute import mute_status
from watchwire.engine.rollup import Point, apply_rollups, hour_of, rollup_points
from watchwire.engine.scheduler import after_check
from watchwire.engine.state_events import Notes, notify_state
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import monitor_results, monitors
from watchwire.store.tables_status import maintenance_in_progress, status_notices

log = logging.getLogger(__name__)

_STATE_COLUMNS = (
    "state",
    "fail_streak",
    "success_streak",
    "failing_since",
    "state_changed_at",
    "last_checked_at",
    "last_error",
    "last_response_ms",
    "last_status",
    "ssl_bracket",
    "ssl_checked_at",
    "ssl_not_after",
    "ssl_valid",
    "ssl_error",
    "ssl_certificate",
    "domain_name",
    "domain_expires_at",
    "domain_bracket",
    "domain_checked_at",
    "domain_error",
    "mute_until",
    "announced_state",
    "next_run_at",
    "lease_owner",
    "lease_expires_at",
)
# The columns a check leaves as they were unless the certificate watch, the domain watch or
# the end of a mute writes them.
_KEPT_COLUMNS = (
    *(name for name in _STATE_COLUMNS if name.startswith(("ssl_", "domain_"))),
    "mute_until",
    "announced_state",
)
_UPDATE_STATE = (
    monitors.update()
    .where(
        monitors.c.sid == sa.bindparam("b_sid"), monitors.c.lease_owner == sa.bindparam("b_owner")
    )
    .values({name: sa.bindparam("v_" + name) for name in _STATE_COLUMNS})
)


@dataclass(frozen=True, slots=True)
class Finished:
    """A check that ran: the monitor row as claimed, when it started, what it found."""

    row: Any
    started_at: datetime
    result: CheckResult
    ssl_checked: bool = False
    certificate: ssl_watch.CertReading | None = None
    # The domain's registration when it was read with this check (domain_watch.py).
    domain: domain_watch.DomainReading | None = None
    # A kind read at write time (heartbeats) says when it is due next; None: the schedule.
    next_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    written: int
    discarded: int
    events: int


async def _load_owned(
    conn: Connection, db: Database, owner: str, sids: list[str]
) -> dict[str, Any]:
    query = sa.select(monitors).where(monitors.c.sid.in_(sids), monitors.c.lease_owner == owner)
    if db.dialect == "postgresql":
        query = query.with_for_update()
    return {row.sid: row for row in (await conn.execute(query)).all()}


async def _under_maintenance(conn: Connection, now: datetime) -> frozenset[str]:
    """Monitors inside a status page's maintenance window at `now`: their alerts are held
    as if muted. One query per batch; windows in progress are few."""
    query = sa.select(status_notices.c.components).where(maintenance_in_progress(now))
    return frozenset(sid for (sids,) in (await conn.execute(query)).all() for sid in sids)


async def record_batch(
    db: Database,
    owner: str,
    batch: list[Finished],
    *,
    now: datetime,
    location: str,
    domain_thresholds: list[int] | None = None,
) -> BatchOutcome:
    """Write `batch` in one transaction; see the module docstring."""
    if not batch:
        return BatchOutcome(0, 0, 0)
    async with db.transaction() as conn:
        fresh = await _load_owned(conn, db, owner, sorted({f.row.sid for f in batch}))
        maintained = await _under_maintenance(conn, now)
        updates: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        points: list[Point] = []
        ended: list[tuple[Any, datetime]] = []  # (monitor, the hour its last check was in)
        events = 0
        notes = Notes()
        for finished in batch:
            row = fresh.pop(finished.row.sid, None)
            if row is None:
                continue  # lease lost, or the monitor was deleted meanwhile
            read_row = get_kind(row.kind).read_row
            if read_row is not None:
                reading = read_row(row, now)
                if reading.result is None:
                    updates.append(_reschedule(owner, row, reading.next_due))
                    continue
                finished = replace(finished, result=reading.result, next_due=reading.next_due)
            update, result_row, point, sent = await _apply(
                conn,
                owner,
                row,
                finished,
                now,
                location,
                notes,
                maintained=row.sid in maintained,
                domain_thresholds=domain_thresholds or [30, 14, 7, 1],
            )
            updates.append(update)
            results.append(result_row)
            points.append(point)
            events += sent
            last = as_utc(row.last_checked_at)
            if last is not None and hour_of(last) < hour_of(now):
                ended.append((row, last))
        if updates:
            await conn.execute(_UPDATE_STATE, updates)
        if results:
            await conn.execute(monitor_results.insert(), results)
            await apply_rollups(conn, rollup_points(points), lock=db.dialect == "postgresql")
            events += await apdex_drop.record_drops(conn, ended, now, maintained)
    notes.emit()
    return BatchOutcome(len(updates), len(batch) - len(updates), events)


def _reschedule(owner: str, row: Any, next_due: datetime) -> dict[str, Any]:
    """The update of a monitor with nothing to record: its state as it is, due again at
    `next_due`, its lease given back."""
    update = {"b_sid": row.sid, "b_owner": owner}
    update.update({"v_" + name: getattr(row, name) for name in _STATE_COLUMNS})
    update.update(v_next_run_at=next_due, v_lease_owner=None, v_lease_expires_at=None)
    return update


async def _apply(
    conn: Connection,
    owner: str,
    row: Any,
    finished: Finished,
    now: datetime,
    location: str,
    notes: Notes,
    *,
    maintained: bool,
    domain_thresholds: list[int],
) -> tuple[dict[str, Any], dict[str, Any], Point, int]:
    result = finished.result
    evaluator = UptimeEvaluator(UptimeRules(row.confirmations, row.recoveries, row.degraded_ms))
    before = UptimeState(row.state, row.fail_streak, row.success_streak, as_utc(row.failing_since))
    evaluation = evaluator.observe(before, ok=result.ok, response_ms=result.response_ms, now=now)
    state = evaluation.state
    due = as_utc(finished.row.next_run_at) or now
    last = as_utc(row.last_checked_at)
    covers = row.interval_seconds if last is None else int((now - last).total_seconds())
    covers = max(0, min(covers, row.interval_seconds))
    update: dict[str, Any] = {
        "b_sid": row.sid,
        "b_owner": owner,
        "v_state": state.state,
        "v_fail_streak": state.fail_streak,
        "v_success_streak": state.success_streak,
        "v_failing_since": state.failing_since,
        "v_state_changed_at": now if state.state != row.state else row.state_changed_at,
        "v_last_checked_at": now,
        "v_last_error": result.error,
        "v_last_response_ms": result.response_ms,
        "v_last_status": None if result.status is None else str(result.status),
        # As they are unless a watch or the mute logic below changes them.
        **{"v_" + name: getattr(row, name) for name in _KEPT_COLUMNS},
        "v_next_run_at": finished.next_due
        or after_check(
            due,
            now,
            row.interval_seconds,
            row.retry_interval_seconds,
            failing=evaluation.recheck or state.state == "down",
            recheck=evaluation.recheck,
        ),
        "v_lease_owner": None,
        "v_lease_expires_at": None,
    }
    sent = await notify_state(
        conn, row, evaluation, result, update, now, notes, maintained=maintained
    )
    held = maintained or mute_status(row.mute_until, now, state=state.state) == "active"
    if finished.ssl_checked:
        sent += await ssl_record.record_reading(
            conn, row, finished.certificate, update, now, held=held
        )
    if finished.domain is not None:
        sent += await domain_watch.record_reading(
            conn, row, finished.domain, domain_thresholds, update, now, held=held
        )
    result_row = {
        "monitor_sid": row.sid,
        "checked_at": now,
        "outcome": evaluation.outcome,
        "response_ms": result.response_ms,
        "error": result.error,
        "covers_seconds": covers,
        "lateness_ms": max(0.0, (finished.started_at - due).total_seconds() * 1000),
        "location": location,
        "details": result.details,
    }
    point = Point(
        row.sid, now, evaluation.outcome, result.response_ms, covers, row.apdex_t_ms, result.phases
    )
    return update, result_row, point, sent
