"""Writing a batch of finished checks in one transaction: each monitor's new state and
schedule, the raw results, the hourly rollups, downtimes, and the events of state changes
(through `record_event`, so the outbox rows of their deliveries join the same transaction).

Only monitors still leased to this worker are written: a result whose lease expired (the
worker stalled and another took over) is discarded rather than counted twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire import logs
from watchwire.clock import as_utc, isoformat
from watchwire.engine import apdex_drop, domain_watch, ssl_record, ssl_watch
from watchwire.engine.checks import monitor_payload
from watchwire.engine.evaluate_uptime import (
    Evaluation,
    UptimeEvaluator,
    UptimeRules,
    UptimeState,
)
from watchwire.engine.kinds import get_kind
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.mute import mute_status, to_announce
from watchwire.engine.rollup import Point, apply_rollups, hour_of, rollup_points
from watchwire.engine.scheduler import after_check
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import downtimes, monitor_results, monitors
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


@dataclass(slots=True)
class _Notes:
    """State changes of a batch, logged once its transaction has committed (a rolled-back
    batch changed nothing, so it must not say it did)."""

    lines: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def emit(self) -> None:
        for message, fields in self.lines:
            logs.note(log, message, **fields)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def describe(row: Any, evaluation: Evaluation, result: CheckResult, now: datetime) -> str:
    """The plain-text sentence a person reads in a notification."""
    transition = evaluation.transition
    assert transition is not None
    name = f"{row.name} ({row.kind} {row.target})"
    if transition.event == "monitor.down":
        since = transition.failing_since or now
        return (
            f"{name} is down: {result.error or 'check failed'}. Confirmed by "
            f"{evaluation.state.fail_streak} failed checks since {isoformat(since)}."
        )
    if transition.event == "monitor.degraded":
        return (
            f"{name} is degraded: it answered in {result.response_ms or 0:.0f} ms, slower than "
            f"its {row.degraded_ms:.0f} ms threshold."
        )
    if transition.previous == "down":
        began = as_utc(row.failing_since) or as_utc(row.state_changed_at) or now
        return f"{name} is up again after {_duration((now - began).total_seconds())} down."
    return f"{name} is no longer degraded: it answered in {result.response_ms or 0:.0f} ms."


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
        notes = _Notes()
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
    notes: _Notes,
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
    sent = await _notify(conn, row, evaluation, result, update, now, notes, maintained=maintained)
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


async def _notify(
    conn: Connection,
    row: Any,
    evaluation: Evaluation,
    result: CheckResult,
    update: dict[str, Any],
    now: datetime,
    notes: _Notes,
    *,
    maintained: bool,
) -> int:
    """Record the check's state event (held while the monitor is muted or inside a
    maintenance window), and when this check ends a mute, announce the current state once if
    it differs from the last one announced (engine/mute.py); keep `mute_until` and
    `announced_state` in `update`. A maintenance window ends by itself, on no monitor's row:
    the first check after it that finds the state differing from the one announced
    announces it, just as the end of a mute does."""
    state, transition = evaluation.state.state, evaluation.transition
    mute = mute_status(row.mute_until, now, state=state)
    announced = row.announced_state
    if mute == "ended":
        update["v_mute_until"] = None
    ended = "the mute ended"
    if mute == "none" and not maintained and row.announced_state != state:
        mute, ended = "ended", "the maintenance window ended"  # held during one, over now
    if maintained:
        mute = "active"
    if transition is not None:
        held = mute == "active" or (
            mute == "ended" and to_announce(transition.current, announced) is None
        )
        if not held:
            announced = transition.current
        event = await _state_event(conn, row, evaluation, result, now, held=held)
        notes.lines.append(_state_note(row, transition.previous, transition.current, event, now))
        update["v_announced_state"] = announced
        return 1
    current = to_announce(state, announced) if mute == "ended" else None
    if current is None:
        return 0
    event = await _announce(conn, row, current, announced, result, now, ended=ended)
    notes.lines.append(_state_note(row, announced or "up", current, event, now))
    update["v_announced_state"] = current
    return 1


_STATE_EVENTS = {"up": "monitor.up", "down": "monitor.down", "degraded": "monitor.degraded"}


def _state_note(
    row: Any, previous: str, current: str, event: Any, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The log line of a state change. `check` names the result it came from (a monitor's
    results are keyed by monitor and time: `GET /v1/monitors/{sid}/results`)."""
    return f"monitor {row.name} is {current}", {
        "monitor": row.sid,
        "name": row.name,
        "kind": row.kind,
        "target": row.target,
        "state": current,
        "previous": previous,
        "error": event.payload.get("error"),
        "check": f"{row.sid}@{isoformat(now)}",
        "event": event.sid,
        "held": event.held,
    }


async def _announce(
    conn: Connection,
    row: Any,
    state: str,
    announced: str | None,
    result: CheckResult,
    now: datetime,
    *,
    ended: str,
) -> Event:
    """The one event that tells recipients, at the end of a mute or a maintenance window,
    the state that is true now."""
    name = f"{row.name} ({row.kind} {row.target})"
    error = f": {result.error}" if state == "down" and result.error else ""
    return await record_event(
        conn,
        account_sid=row.account_sid,
        type=_STATE_EVENTS[state],
        description=f"{name} is {state}{error} (announced as {ended}).",
        payload={
            "monitor": monitor_payload(row),
            "previous_state": announced or "up",
            "state": state,
            "after_mute": True,
            "error": result.error,
        },
        now=now,
        resource_type="monitor",
        resource_sid=row.sid,
        contact_groups=list(row.contact_groups),
        recipients=row.recipients,
    )


async def _state_event(
    conn: Connection,
    row: Any,
    evaluation: Evaluation,
    result: CheckResult,
    now: datetime,
    *,
    held: bool,
) -> Event:
    transition = evaluation.transition
    assert transition is not None
    payload = {
        "monitor": monitor_payload(row),
        "previous_state": transition.previous,
        "state": transition.current,
        "result": {
            "checked_at": isoformat(now),
            "ok": result.ok,
            "response_ms": result.response_ms,
            "error": result.error,
            **result.details,
        },
        "error": result.error,
    }
    if transition.event == "monitor.down":
        since = transition.failing_since or now
        payload["down_since"] = isoformat(since)
        await conn.execute(
            downtimes.insert().values(
                monitor_sid=row.sid, started_at=since, ended_at=None, error=result.error
            )
        )
    elif transition.previous == "down":
        await conn.execute(
            downtimes.update()
            .where(downtimes.c.monitor_sid == row.sid, downtimes.c.ended_at.is_(None))
            .values(ended_at=now)
        )
    return await record_event(
        conn,
        account_sid=row.account_sid,
        type=transition.event,
        description=describe(row, evaluation, result, now),
        payload=payload,
        now=now,
        resource_type="monitor",
        resource_sid=row.sid,
        contact_groups=list(row.contact_groups),
        recipients=row.recipients,
        held=held,
    )
