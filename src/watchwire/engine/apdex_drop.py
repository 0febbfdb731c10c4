"""Apdex drops: the event updown calls `check.performance_drop` (001), raised when a
monitor's Apdex over an hour falls more than 30 % below the lowest of the 5 hours before it.

`evaluate` is pure: fed the hourly Apdex values, it says whether the hour dropped. The
recorder calls `record_drops` when a monitor's first check of a new hour is written, i.e.
when the hour before has ended; the event and its deliveries join that transaction (outbox).

Rules chosen where updown is silent: all 5 earlier hours must have been sampled (a new or
paused monitor has no baseline, and one odd hour must not look like a trend), and a lowest
Apdex of 0 cannot drop further.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc, isoformat
from watchwire.engine.mute import mute_status
from watchwire.engine.rollup import Rollup, hour_of
from watchwire.events.monitor_snapshot import snapshot
from watchwire.events.store import record_event
from watchwire.store.database import Connection
from watchwire.store.tables_engine import monitor_rollups

EVENT = "monitor.apdex_drop"
DROP_RATIO = 0.30
BASELINE_HOURS = 5


@dataclass(frozen=True, slots=True)
class Drop:
    """An hour whose Apdex fell: by how much (a fraction of the lowest earlier value)."""

    hour: datetime
    apdex: float
    lowest: float
    dropped: float
    # The hours looked at, oldest first, the dropped one last: {hour: apdex}.
    recent: Mapping[datetime, float]


def evaluate(hour: datetime, apdex_by_hour: Mapping[datetime, float]) -> Drop | None:
    """A `Drop` when `hour`'s Apdex is more than 30 % below the lowest of the 5 hours before
    it, each of them sampled; else None."""
    current = apdex_by_hour.get(hour)
    earlier = [hour - timedelta(hours=n) for n in range(BASELINE_HOURS, 0, -1)]
    if current is None or any(h not in apdex_by_hour for h in earlier):
        return None
    lowest = min(apdex_by_hour[h] for h in earlier)
    if lowest <= 0:
        return None
    dropped = (lowest - current) / lowest
    if dropped <= DROP_RATIO:
        return None
    recent = {h: apdex_by_hour[h] for h in [*earlier, hour]}
    return Drop(hour, current, lowest, dropped, recent)


def describe(row: Any, drop: Drop) -> str:
    return (
        f"Apdex of {row.name} ({row.kind} {row.target}) dropped {drop.dropped:.0%}: "
        f"{drop.apdex:.2f} in the hour from {isoformat(drop.hour)}, against a lowest "
        f"{drop.lowest:.2f} over the {BASELINE_HOURS} hours before."
    )


def payload(row: Any, drop: Drop) -> dict[str, Any]:
    """The event's payload: the drop and the hourly values (updown's `last_metrics`)."""
    return {
        "monitor": {"sid": row.sid, "name": row.name, "kind": row.kind, "target": row.target},
        "hour": isoformat(drop.hour),
        "apdex": drop.apdex,
        "lowest_apdex": drop.lowest,
        "dropped_percent": round(drop.dropped * 100),
        "last_metrics": {isoformat(h): {"apdex": a} for h, a in drop.recent.items()},
    }


async def _hourly_apdex(
    conn: Connection, sids: Sequence[str], first: datetime, last: datetime
) -> dict[str, dict[datetime, float]]:
    rows = (
        await conn.execute(
            sa.select(monitor_rollups).where(
                monitor_rollups.c.monitor_sid.in_(sids),
                monitor_rollups.c.hour >= first,
                monitor_rollups.c.hour <= last,
            )
        )
    ).all()
    found: dict[str, dict[datetime, float]] = {}
    for row in rows:
        apdex = Rollup.from_row(row).metrics()["apdex"]
        if apdex is not None:
            found.setdefault(row.monitor_sid, {})[as_utc(row.hour)] = apdex
    return found


async def record_drops(
    conn: Connection, ended: Sequence[tuple[Any, datetime]], now: datetime, held: frozenset[str]
) -> int:
    """For each (monitor row, an hour that has ended), record the event when that hour's
    Apdex dropped; monitors in `held` (in a maintenance window) or muted get it held.
    Returns the number of events."""
    if not ended:
        return 0
    hours = [hour_of(h) for _, h in ended]
    values = await _hourly_apdex(
        conn,
        sorted({row.sid for row, _ in ended}),
        min(hours) - timedelta(hours=BASELINE_HOURS),
        max(hours),
    )
    sent = 0
    for (row, _), hour in zip(ended, hours, strict=True):
        drop = evaluate(hour, values.get(row.sid, {}))
        if drop is None:
            continue
        muted = mute_status(row.mute_until, now, state=row.state) == "active"
        await record_event(
            conn,
            account_sid=row.account_sid,
            type=EVENT,
            description=describe(row, drop),
            payload={**payload(row, drop), "snapshot": await snapshot(conn, row, now)},
            now=now,
            resource_type="monitor",
            resource_sid=row.sid,
            contact_groups=list(row.contact_groups),
            recipients=row.recipients,
            held=muted or row.sid in held,
        )
        sent += 1
    return sent
