"""Checks of monitors placed at locations (`monitor_locations`, decision 0032): claiming a
location's due work, and writing its results with the quorum verdict.

The same two functions serve every place a location's checks run from: the server's own
engine for its own location, `worker --location CODE` on the shared database, and the agent
API for `watchwire agent` across networks (services/agents.py).

Writing a batch of one location's results, in one transaction:

1. a batch id already written (an agent that sent it again after an outage) writes nothing;
2. a result counts when its placement exists, nobody else holds a live lease on it, and it
   is newer than the location's last one: a result is never counted twice;
3. the location's own up/down machine (evaluate_uptime.py) takes it; the raw result and the
   location's hourly rollup are written;
4. the monitor's verdict is the quorum over its locations' states (quorum.py): its state,
   events and downtimes (full or `partial`, with the locations that saw it) follow from it,
   through the same state events and outbox as a single-location monitor.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc, isoformat
from watchwire.engine.evaluate_uptime import (
    Evaluation,
    Transition,
    UptimeEvaluator,
    UptimeRules,
    UptimeState,
)
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.quorum import LocationState, QuorumVerdict, verdict
from watchwire.engine.rollup import Point, Rollup, apply_rollups, hour_of, rollup_points
from watchwire.engine.scheduler import after_check, lease_seconds
from watchwire.engine.state_events import Notes, notify_state
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import downtimes, monitor_results, monitors
from watchwire.store.tables_locations import agent_batches, location_rollups, monitor_locations
from watchwire.store.tables_status import maintenance_in_progress, status_notices

log = logging.getLogger(__name__)


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time as `isoformat` writes it (`…Z`), timezone-aware."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


# What a claimed piece of work carries: the monitor's check and its location's schedule.
_WORK_COLUMNS = (
    monitors.c.sid,
    monitors.c.kind,
    monitors.c.target,
    monitors.c.options,
    monitors.c.timeout_seconds,
    monitors.c.interval_seconds,
    monitors.c.expect,
    monitor_locations.c.next_run_at,
)


@dataclass(frozen=True, slots=True)
class Work:
    """One check to run at a location: the monitor's check and when it was due."""

    sid: str
    kind: str
    target: str
    options: dict[str, Any]
    timeout: float
    interval: int
    expect: tuple[str, ...]
    due: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "kind": self.kind,
            "target": self.target,
            "options": self.options,
            "timeout": self.timeout,
            "interval": self.interval,
            "expect": list(self.expect),
            "due": isoformat(self.due),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Work:
        return cls(
            sid=str(data["sid"]),
            kind=str(data["kind"]),
            target=str(data["target"]),
            options=dict(data["options"]),
            timeout=float(data["timeout"]),
            interval=int(data["interval"]),
            expect=tuple(data["expect"]),
            due=parse_iso(str(data["due"])),
        )


@dataclass(frozen=True, slots=True)
class LocationResult:
    """A check that ran at a location, as an agent reports it."""

    sid: str
    due: datetime
    started_at: datetime
    checked_at: datetime
    result: CheckResult

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "sid": self.sid,
            "due": isoformat(self.due),
            "started_at": isoformat(self.started_at),
            "checked_at": isoformat(self.checked_at),
            "ok": r.ok,
            "response_ms": r.response_ms,
            "error": r.error,
            "status": r.status,
            "phases": r.phases,
            "details": r.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LocationResult:
        return cls(
            sid=str(data["sid"]),
            due=parse_iso(str(data["due"])),
            started_at=parse_iso(str(data["started_at"])),
            checked_at=parse_iso(str(data["checked_at"])),
            result=CheckResult(
                bool(data["ok"]),
                None if data.get("response_ms") is None else float(data["response_ms"]),
                data.get("error"),
                phases=dict(data.get("phases") or {}),
                details=dict(data.get("details") or {}),
                status=data.get("status"),
            ),
        )


@dataclass(frozen=True, slots=True)
class Written:
    written: int
    discarded: int
    duplicate: bool = False
    events: int = 0


def work_of(row: Any) -> Work:
    return Work(
        sid=row.sid,
        kind=row.kind,
        target=row.target,
        options=dict(row.options),
        timeout=row.timeout_seconds,
        interval=row.interval_seconds,
        expect=tuple(row.expect),
        due=as_utc(row.next_run_at) or row.next_run_at,
    )


async def claim(db: Database, location: str, owner: str, now: datetime, limit: int) -> list[Work]:
    """Lease up to `limit` of `location`'s due checks to `owner`, earliest first."""
    if limit <= 0:
        return []
    ml = monitor_locations
    free = sa.or_(ml.c.lease_expires_at.is_(None), ml.c.lease_expires_at <= now)
    query = (
        sa.select(*_WORK_COLUMNS)
        .join(monitors, monitors.c.sid == ml.c.monitor_sid)
        .where(
            ml.c.location == location, ml.c.next_run_at <= now, free, monitors.c.paused.is_(False)
        )
        .order_by(ml.c.next_run_at)
        .limit(limit)
    )
    if db.dialect == "postgresql":
        query = query.with_for_update(of=ml, skip_locked=True)
    async with db.transaction() as conn:
        rows = (await conn.execute(query)).all()
        if not rows:
            return []
        await conn.execute(
            ml.update()
            .where(ml.c.monitor_sid == sa.bindparam("b_sid"), ml.c.location == location)
            .values(lease_owner=owner, lease_expires_at=sa.bindparam("b_expires")),
            [
                {
                    "b_sid": r.sid,
                    "b_expires": now + timedelta(seconds=lease_seconds(r.timeout_seconds, r.kind)),
                }
                for r in rows
            ],
        )
    return [work_of(r) for r in rows]


async def release(db: Database, location: str, owner: str) -> int:
    """Give back `owner`'s leases at `location` (a stopping engine's unfinished checks)."""
    ml = monitor_locations
    async with db.transaction() as conn:
        result = await conn.execute(
            ml.update()
            .where(ml.c.location == location, ml.c.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        )
    return int(result.rowcount or 0)


async def next_due_at(db: Database, location: str, now: datetime) -> datetime | None:
    ml = monitor_locations
    free = sa.or_(ml.c.lease_expires_at.is_(None), ml.c.lease_expires_at <= now)
    async with db.connect() as conn:
        value = (
            await conn.execute(
                sa.select(sa.func.min(ml.c.next_run_at)).where(ml.c.location == location, free)
            )
        ).scalar_one_or_none()
    return as_utc(value)


@dataclass(slots=True)
class _Batch:
    """What one transaction accumulates."""

    placements: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    location_points: list[Point] = field(default_factory=list)
    monitor_points: list[Point] = field(default_factory=list)


async def record(
    db: Database,
    location: str,
    owner: str,
    results: Sequence[LocationResult],
    *,
    now: datetime,
    batch_id: str | None = None,
) -> Written:
    """Write `results` of `location` in one transaction (see the module docstring)."""
    async with db.transaction() as conn:
        if batch_id is not None:
            seen = (
                await conn.execute(
                    sa.select(agent_batches.c.batch_id).where(agent_batches.c.batch_id == batch_id)
                )
            ).one_or_none()
            if seen is not None:
                return Written(0, 0, duplicate=True)
            await conn.execute(
                agent_batches.insert().values(
                    batch_id=batch_id, location=location, results=len(results), received_at=now
                )
            )
        if not results:
            return Written(0, 0)
        sids = sorted({r.sid for r in results})
        lock = db.dialect == "postgresql"
        rows = await _monitors(conn, sids, lock)
        placed = await _placements(conn, sids, lock)
        batch = _Batch()
        accepted: set[str] = set()
        for item in sorted(results, key=lambda r: r.checked_at):
            row = rows.get(item.sid)
            place = placed.get((item.sid, location))
            if row is None or place is None or not _counts(place, item, owner, now):
                continue
            placed[(item.sid, location)] = _observe(batch, row, place, item, location, owner, now)
            accepted.add(item.sid)
        if batch.placements:
            await _write_placements(conn, location, batch.placements)
            await conn.execute(monitor_results.insert(), batch.results)
            await _apply_location_rollups(conn, batch.location_points, location, lock=lock)
        notes = Notes()
        events = await _judge(conn, rows, placed, accepted, batch, now, notes)
        if batch.monitor_points:
            await apply_rollups(conn, rollup_points(batch.monitor_points), lock=lock)
    notes.emit()
    written = len(batch.results)
    return Written(written, len(results) - written, events=events)


async def _monitors(conn: Connection, sids: list[str], lock: bool) -> dict[str, Any]:
    query = sa.select(monitors).where(monitors.c.sid.in_(sids))
    if lock:
        query = query.with_for_update()
    return {row.sid: row for row in (await conn.execute(query)).all()}


async def _placements(conn: Connection, sids: list[str], lock: bool) -> dict[tuple[str, str], Any]:
    """Every location's placement of these monitors: the quorum reads them all."""
    query = sa.select(monitor_locations).where(monitor_locations.c.monitor_sid.in_(sids))
    if lock:
        query = query.with_for_update()
    return {(r.monitor_sid, r.location): r for r in (await conn.execute(query)).all()}


def _counts(place: Any, item: LocationResult, owner: str, now: datetime) -> bool:
    """A result counts unless another holds a live lease on the placement, or the location
    has recorded this check or a later one already."""
    expires = as_utc(place.lease_expires_at)
    if place.lease_owner not in (None, owner) and expires is not None and expires > now:
        return False
    last = as_utc(place.last_checked_at)
    return last is None or item.checked_at > last


@dataclass(frozen=True, slots=True)
class _Place:
    """A placement as it stands after this batch's results (what the quorum reads)."""

    location: str
    state: str
    failing_since: datetime | None
    last_checked_at: datetime | None
    last_error: str | None


def _observe(
    batch: _Batch,
    row: Any,
    place: Any,
    item: LocationResult,
    location: str,
    owner: str,
    now: datetime,
) -> Any:
    result = item.result
    evaluator = UptimeEvaluator(UptimeRules(row.confirmations, row.recoveries, row.degraded_ms))
    before = UptimeState(
        place.state, place.fail_streak, place.success_streak, as_utc(place.failing_since)
    )
    evaluation = evaluator.observe(
        before, ok=result.ok, response_ms=result.response_ms, now=item.checked_at
    )
    state = evaluation.state
    last = as_utc(place.last_checked_at)
    covers = row.interval_seconds if last is None else int((item.checked_at - last).total_seconds())
    covers = max(0, min(covers, row.interval_seconds))
    next_run = after_check(
        item.due,
        now,
        row.interval_seconds,
        row.retry_interval_seconds,
        failing=evaluation.recheck or state.state == "down",
        recheck=evaluation.recheck,
    )
    batch.placements.append(
        {
            "b_sid": row.sid,
            "v_state": state.state,
            "v_fail_streak": state.fail_streak,
            "v_success_streak": state.success_streak,
            "v_failing_since": state.failing_since,
            "v_last_checked_at": item.checked_at,
            "v_last_error": result.error,
            "v_last_response_ms": result.response_ms,
            "v_next_run_at": next_run,
        }
    )
    batch.results.append(
        {
            "monitor_sid": row.sid,
            "checked_at": item.checked_at,
            "outcome": evaluation.outcome,
            "response_ms": result.response_ms,
            "error": result.error,
            "covers_seconds": covers,
            "lateness_ms": max(0.0, (item.started_at - item.due).total_seconds() * 1000),
            "location": location,
            "details": {**result.details, "status": result.status}
            if result.status is not None
            else result.details,
        }
    )
    batch.location_points.append(
        Point(
            row.sid,
            item.checked_at,
            evaluation.outcome,
            result.response_ms,
            covers,
            row.apdex_t_ms,
            result.phases,
        )
    )
    return _Place(location, state.state, state.failing_since, item.checked_at, result.error)


_UPDATE_PLACEMENT_COLUMNS = (
    "state",
    "fail_streak",
    "success_streak",
    "failing_since",
    "last_checked_at",
    "last_error",
    "last_response_ms",
    "next_run_at",
)


async def _write_placements(conn: Connection, location: str, updates: list[dict[str, Any]]) -> None:
    # One update per result, in order: a monitor twice in a batch ends at its latest check.
    ml = monitor_locations
    statement = (
        ml.update()
        .where(ml.c.monitor_sid == sa.bindparam("b_sid"), ml.c.location == location)
        .values(
            {
                **{name: sa.bindparam("v_" + name) for name in _UPDATE_PLACEMENT_COLUMNS},
                "lease_owner": None,
                "lease_expires_at": None,
            }
        )
    )
    await conn.execute(statement, updates)


async def _apply_location_rollups(
    conn: Connection, points: list[Point], location: str, *, lock: bool
) -> None:
    groups: dict[tuple[str, datetime], Rollup] = {}
    for point in points:
        groups.setdefault((point.monitor_sid, hour_of(point.checked_at)), Rollup()).add(point)
    if not groups:
        return
    lr = location_rollups
    query = sa.select(lr).where(
        lr.c.location == location,
        lr.c.monitor_sid.in_(sorted({sid for sid, _ in groups})),
        lr.c.hour.in_(sorted({hour for _, hour in groups})),
    )
    if lock:
        query = query.with_for_update()
    existing = {(r.monitor_sid, as_utc(r.hour)): r for r in (await conn.execute(query)).all()}
    for key, delta in groups.items():
        row = existing.get(key)
        merged = Rollup.from_row(row) if row is not None else Rollup()
        merged.merge(delta)
        if row is None:
            await conn.execute(
                lr.insert().values(
                    monitor_sid=key[0], location=location, hour=key[1], **merged.to_row()
                )
            )
        else:
            await conn.execute(
                lr.update()
                .where(lr.c.monitor_sid == key[0], lr.c.location == location, lr.c.hour == key[1])
                .values(**merged.to_row())
            )


def _state_of(place: Any) -> LocationState:
    return LocationState(place.location, place.state, as_utc(place.last_checked_at))


_MONITOR_STATE = {"down": "down", "degraded": "degraded", "up": "up", "partial": "up"}


def _transition(previous: str, current: str, failing_since: datetime | None) -> Transition | None:
    if previous == current:
        return None
    if current == "down":
        return Transition("monitor.down", previous, "down", failing_since=failing_since)  # type: ignore[arg-type]
    if previous == "down":
        return Transition("monitor.up", "down", current)  # type: ignore[arg-type]
    if current == "degraded":
        return Transition("monitor.degraded", previous, "degraded")  # type: ignore[arg-type]
    if previous == "degraded":
        return Transition("monitor.up", "degraded", "up")
    return None  # pending → up


async def _judge(
    conn: Connection,
    rows: dict[str, Any],
    placed: dict[tuple[str, str], Any],
    accepted: set[str],
    batch: _Batch,
    now: datetime,
    notes: Notes,
) -> int:
    """The quorum verdict of every monitor this batch changed, and what follows from it."""
    if not accepted:
        return 0
    maintained = await _under_maintenance(conn, now)
    open_downtimes = await _open_downtimes(conn, sorted(accepted))
    monitor_updates: list[dict[str, Any]] = []
    events = 0
    for sid in sorted(accepted):
        row = rows[sid]
        places = [p for (s, _), p in placed.items() if s == sid]
        judged = verdict(
            (_state_of(p) for p in places),
            now=now,
            interval=row.interval_seconds,
            timeout=row.timeout_seconds,
            quorum=row.quorum,
        )
        latest = max(
            (p for p in places if p.last_checked_at is not None),
            key=lambda p: as_utc(p.last_checked_at) or now,
        )
        for point in [p for p in batch.location_points if p.monitor_sid == sid]:
            outcome = "down" if judged.verdict == "down" else point.outcome
            if outcome == "down" and judged.verdict != "down":
                outcome = "up"  # one location's failure is not the monitor's
            batch.monitor_points.append(
                Point(
                    sid,
                    point.checked_at,
                    outcome,
                    point.response_ms if outcome != "down" else None,
                    point.covers_seconds,
                    point.apdex_t_ms,
                    point.phases,
                )
            )
        state = row.state if judged.verdict == "pending" else _MONITOR_STATE[judged.verdict]
        since = min(
            (p.failing_since for p in places if p.location in judged.down and p.failing_since),
            default=now,
        )
        transition = _transition(row.state, state, as_utc(since))
        update = {
            "b_sid": sid,
            "v_state": state,
            "v_fail_streak": len(judged.down),
            "v_success_streak": len(judged.answered) - len(judged.down),
            "v_failing_since": as_utc(since) if judged.down else None,
            "v_state_changed_at": now if state != row.state else row.state_changed_at,
            "v_last_checked_at": latest.last_checked_at,
            "v_last_error": _error_of(judged, places) if judged.down else latest.last_error,
            "v_mute_until": row.mute_until,
            "v_announced_state": row.announced_state,
        }
        evaluation = Evaluation(
            UptimeState(state, len(judged.down), 0, as_utc(since) if judged.down else None),  # type: ignore[arg-type]
            transition,
            recheck=False,
            outcome="down" if state == "down" else "up",
        )
        error = _error_of(judged, places)
        result = CheckResult(state != "down", None, error)
        open_row = open_downtimes.get(sid)
        if (
            open_row is not None
            and open_row.partial
            and ((transition is not None and transition.event == "monitor.down") or not judged.down)
        ):
            await _close_downtime(conn, open_row.id, now)
            open_row = None
        events += await notify_state(
            conn, row, evaluation, result, update, now, notes, maintained=sid in maintained
        )
        if transition is not None and transition.event == "monitor.down":
            await _mark_open(conn, sid, judged.down, partial=False)
        elif judged.verdict == "partial":
            if open_row is None or not open_row.partial:
                await conn.execute(
                    downtimes.insert().values(
                        monitor_sid=sid,
                        started_at=as_utc(since),
                        ended_at=None,
                        error=error,
                        locations=list(judged.down),
                        partial=True,
                    )
                )
            elif list(open_row.locations or []) != list(judged.down):
                await _mark_open(conn, sid, judged.down, partial=True)
        monitor_updates.append(update)
    if monitor_updates:
        await conn.execute(_UPDATE_MONITOR, monitor_updates)
    return events


_MONITOR_COLUMNS = (
    "state",
    "fail_streak",
    "success_streak",
    "failing_since",
    "state_changed_at",
    "last_checked_at",
    "last_error",
    "mute_until",
    "announced_state",
)
_UPDATE_MONITOR = (
    monitors.update()
    .where(monitors.c.sid == sa.bindparam("b_sid"))
    .values({name: sa.bindparam("v_" + name) for name in _MONITOR_COLUMNS})
)


def _error_of(judged: QuorumVerdict, places: list[Any]) -> str | None:
    if not judged.down:
        return None
    errors = {p.location: p.last_error for p in places}
    return "; ".join(f"{code}: {errors.get(code) or 'check failed'}" for code in judged.down)


async def _under_maintenance(conn: Connection, now: datetime) -> frozenset[str]:
    query = sa.select(status_notices.c.components).where(maintenance_in_progress(now))
    return frozenset(sid for (sids,) in (await conn.execute(query)).all() for sid in sids)


async def _open_downtimes(conn: Connection, sids: list[str]) -> dict[str, Any]:
    query = sa.select(downtimes).where(
        downtimes.c.monitor_sid.in_(sids), downtimes.c.ended_at.is_(None)
    )
    return {row.monitor_sid: row for row in (await conn.execute(query)).all()}


async def _close_downtime(conn: Connection, downtime_id: int, now: datetime) -> None:
    await conn.execute(downtimes.update().where(downtimes.c.id == downtime_id).values(ended_at=now))


async def _mark_open(conn: Connection, sid: str, down: tuple[str, ...], *, partial: bool) -> None:
    await conn.execute(
        downtimes.update()
        .where(downtimes.c.monitor_sid == sid, downtimes.c.ended_at.is_(None))
        .values(locations=list(down), partial=partial)
    )
