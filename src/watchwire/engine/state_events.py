"""The events of a monitor's state changes, in the batch's transaction: the state event
(its downtime opened or closed), held while the monitor is muted or inside a maintenance
window; the one announcement at the end of a mute or window of a state still true; the
sentence a person reads; and the log lines, emitted once the batch has committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire import logs
from watchwire.clock import as_utc, isoformat
from watchwire.engine.checks import monitor_payload
from watchwire.engine.evaluate_uptime import Evaluation
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.mute import mute_status, to_announce
from watchwire.events.event import Event
from watchwire.events.monitor_snapshot import snapshot
from watchwire.events.store import record_event
from watchwire.store.database import Connection
from watchwire.store.tables_engine import downtimes

# The logger docs/operations.md names for state changes, which the batch writer owns.
log = logging.getLogger("watchwire.engine.recorder")


@dataclass(slots=True)
class Notes:
    """State changes of a batch, logged once its transaction has committed (a rolled-back
    batch changed nothing, so it must not say it did)."""

    lines: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def emit(self) -> None:
        for message, fields in self.lines:
            with logs.bound(logs.CHECK_ID, fields.get("monitor")):
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


async def notify_state(
    conn: Connection,
    row: Any,
    evaluation: Evaluation,
    result: CheckResult,
    update: dict[str, Any],
    now: datetime,
    notes: Notes,
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
        event = await _state_event(conn, row, evaluation, result, update, now, held=held)
        notes.lines.append(_state_note(row, transition.previous, transition.current, event, now))
        update["v_announced_state"] = announced
        return 1
    current = to_announce(state, announced) if mute == "ended" else None
    if current is None:
        return 0
    update["v_announced_state"] = current
    event = await _announce(conn, row, current, announced, result, update, now, ended=ended)
    notes.lines.append(_state_note(row, announced or "up", current, event, now))
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
    update: dict[str, Any],
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
            "snapshot": await snapshot(conn, row, now, update),
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
    update: dict[str, Any],
    now: datetime,
    *,
    held: bool,
) -> Event:
    transition = evaluation.transition
    assert transition is not None
    payload: dict[str, Any] = {
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
        opened = await conn.execute(
            downtimes.insert().values(
                monitor_sid=row.sid, started_at=since, ended_at=None, error=result.error
            )
        )
        # The id GET /api/checks/:token/downtimes shows (updown's webhook `downtime.id`).
        key = opened.inserted_primary_key
        payload["downtime_id"] = key[0] if key else None
    elif transition.previous == "down":
        # The downtime this ends, for formats that describe it (updown's `downtime`).
        began = as_utc(row.failing_since) or as_utc(row.state_changed_at) or now
        payload["down_since"] = isoformat(began)
        payload["down_error"] = row.last_error
        open_ = downtimes.c.monitor_sid == row.sid, downtimes.c.ended_at.is_(None)
        closed = await conn.execute(sa.select(sa.func.max(downtimes.c.id)).where(*open_))
        payload["downtime_id"] = closed.scalar()
        await conn.execute(downtimes.update().where(*open_).values(ended_at=now))
    payload["snapshot"] = await snapshot(conn, row, now, update)
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
