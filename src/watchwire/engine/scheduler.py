"""Scheduling monitors: lease lengths, the next due time, and the monitor table's claims
(the lease mechanism itself is engine/leases.py, shared by every scheduled resource)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from watchwire.engine import leases
from watchwire.engine.kinds import get_kind
from watchwire.engine.kinds.base import OVERRUN
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitors

# Time a lease outlives the probe's own limit: room for a batched result write.
LEASE_MARGIN = 60.0


def lease_seconds(timeout: float, kind: str) -> float:
    """How long a claim of a monitor lasts: its kind's share of the timeout (a ping sends
    several packets) with the overrun, and room for the write."""
    return (timeout + OVERRUN) * get_kind(kind).lease_factor + LEASE_MARGIN


def next_run(due: datetime, interval: int, now: datetime) -> datetime:
    """The next due time: one interval after the last due time, so the schedule does not
    drift by each check's duration; if that is already past (the engine fell behind or was
    stopped), soon, with jitter so a backlog does not come due all at once."""
    anchored = due + timedelta(seconds=interval)
    if anchored > now:
        return anchored
    return now + timedelta(seconds=random.uniform(0, min(interval / 10, 10.0)))


def after_check(
    due: datetime, now: datetime, interval: int, retry: int | None, *, failing: bool, recheck: bool
) -> datetime:
    """When a monitor runs next after a check. `failing`: the check failed and is not yet
    confirmed (`recheck`), or the monitor is down. With a retry interval, a failing monitor
    runs again after it (never later than its interval); without one, an unconfirmed failure
    is checked again at once and a down monitor at its interval."""
    if retry is None:
        return now if recheck else next_run(due, interval, now)
    if failing:
        return now + timedelta(seconds=min(retry, interval))
    return next_run(due, interval, now)


# Monitors placed at locations run from their `monitor_locations` rows (location_runs.py),
# not from their own schedule.
_OWN_SCHEDULE = (monitors.c.by_location.is_(False),)


async def claim_due(db: Database, owner: str, now: datetime, limit: int) -> list[Any]:
    """Claim up to `limit` due monitors for `owner`; returns their rows, earliest due first."""
    return await leases.claim_due(
        db,
        monitors,
        owner,
        now,
        limit,
        lambda r: lease_seconds(r.timeout_seconds, r.kind),
        _OWN_SCHEDULE,
    )


async def release(db: Database, owner: str, sids: list[str] | None = None) -> int:
    """Give back leases (all of `owner`'s, or those of `sids`) so others may run them now."""
    return await leases.release(db, monitors, owner, sids)


async def next_due_at(db: Database, now: datetime) -> datetime | None:
    """When the earliest unpaused, unleased monitor comes due (for the idle sleep)."""
    return await leases.next_due_at(db, monitors, now, _OWN_SCHEDULE)
