"""A page's figures from the hourly rollups: per component, its seconds counted and down per
day and per period, and its response-time chart points.

90 days of 200 components are 432,000 rollup rows; reading them into Python costs seconds.
So the sums are made by the database, grouped by day, by 4-hour slot and by period (a few
hundred rows per component at most), and Python only arranges them. A component inside a
maintenance window in those 90 days is the exception: its hours must be split between
downtime and maintenance one by one, so its hourly rows are read (few components, rarely).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection as SyncConnection

from watchwire.clock import as_utc
from watchwire.services.status_pages.view import ChartPeriod, Period
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import monitor_rollups

DAYS = 90
PERIODS: dict[Period, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
# Width of one chart point per period: 24 points a day, 42 a week, 30 a month. Each divides
# a day, so slots counted from the Unix epoch start at UTC midnight like the day bars.
CHART_STEPS: dict[ChartPeriod, timedelta] = {
    "24h": timedelta(hours=1),
    "7d": timedelta(hours=4),
    "30d": timedelta(days=1),
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Window = tuple[datetime, datetime]


@dataclass
class Totals:
    """One component's sums. Seconds: counted excludes downtime under maintenance."""

    days: dict[date, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0.0, 0.0])
    )  # counted, down, maintenance
    periods: dict[Period, list[float]] = field(
        default_factory=lambda: {p: [0.0, 0.0] for p in PERIODS}
    )  # counted, down
    charts: dict[ChartPeriod, dict[datetime, list[float]]] = field(
        default_factory=lambda: {p: {} for p in CHART_STEPS}
    )  # slot start: [sum of ms, checks timed]


def hour_floor(moment: datetime) -> datetime:
    return as_utc(moment).replace(minute=0, second=0, microsecond=0)


def slot_of(hour: datetime, step: timedelta) -> datetime:
    return EPOCH + ((hour - EPOCH) // step) * step


def overlap(windows: Sequence[Window], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) that the windows cover (windows of one component rarely
    overlap each other; where they do the sum is capped at the span)."""
    covered = sum(
        max(0.0, (min(end, w_end) - max(start, w_start)).total_seconds())
        for w_start, w_end in windows
    )
    return min(covered, (end - start).total_seconds())


def _starts(now: datetime) -> dict[Period, datetime]:
    return {p: hour_floor(now - span) for p, span in PERIODS.items()}


def totals_from_hours(rows: Iterable[Any], windows: Sequence[Window], now: datetime) -> Totals:
    """Sums over hourly rows, each hour's downtime split by the maintenance windows."""
    totals, starts = Totals(), _starts(now)
    for r in rows:
        hour = as_utc(r.hour)
        total = r.up_seconds + r.down_seconds + r.degraded_seconds
        muted = overlap(windows, hour, hour + timedelta(hours=1)) / 3600.0 if windows else 0.0
        maintenance_down = r.down_seconds * muted
        counted, down = total - maintenance_down, r.down_seconds - maintenance_down
        day = totals.days[hour.date()]
        day[0] += counted
        day[1] += down
        day[2] += maintenance_down
        for period, start in starts.items():
            if hour >= start:
                totals.periods[period][0] += counted
                totals.periods[period][1] += down
        for chart, step in CHART_STEPS.items():
            if r.timed and hour >= starts[chart]:
                acc = totals.charts[chart].setdefault(slot_of(hour, step), [0.0, 0.0])
                acc[0] += r.sum_ms
                acc[1] += r.timed
    return totals


async def hourly_totals(
    conn: Connection, sid: str, since: datetime, windows: Sequence[Window], now: datetime
) -> Totals:
    rows = await conn.execute(
        sa.select(
            monitor_rollups.c.hour,
            monitor_rollups.c.up_seconds,
            monitor_rollups.c.down_seconds,
            monitor_rollups.c.degraded_seconds,
            monitor_rollups.c.timed,
            monitor_rollups.c.sum_ms,
        ).where(monitor_rollups.c.monitor_sid == sid, monitor_rollups.c.hour >= since)
    )
    return totals_from_hours(rows, windows, now)


def _epoch(dialect: str) -> sa.ColumnElement[int]:
    """Seconds since the Unix epoch of a rollup's hour, as an integer, in SQL."""
    hour = monitor_rollups.c.hour
    if dialect == "postgresql":
        return sa.cast(sa.extract("epoch", hour), sa.BigInteger)
    return sa.cast(sa.func.strftime("%s", hour), sa.Integer)


async def summed_totals(
    db: Database, sids: Sequence[str], since: datetime, now: datetime
) -> dict[str, Totals]:
    """Sums made by the database for components without maintenance windows, off the event
    loop (seconds for a big page: visitors of other pages must not wait for it)."""
    if not sids:
        return defaultdict(Totals)
    return await db.read_off_loop(lambda conn: _summed(conn, db.dialect, sids, since, now))


def _summed(
    conn: SyncConnection, dialect: str, sids: Sequence[str], since: datetime, now: datetime
) -> dict[str, Totals]:
    result: dict[str, Totals] = defaultdict(Totals)
    rollup = monitor_rollups.c
    mine = sa.and_(rollup.monitor_sid.in_(list(sids)), rollup.hour >= since)
    counted = rollup.up_seconds + rollup.down_seconds + rollup.degraded_seconds
    starts = _starts(now)

    def since_start(value: sa.ColumnElement[Any], start: datetime) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((rollup.hour >= start, value), else_=0)), 0)

    periods = sa.select(
        rollup.monitor_sid,
        *(since_start(counted, starts[p]) for p in PERIODS),
        *(since_start(rollup.down_seconds, starts[p]) for p in PERIODS),
    ).where(mine)
    for row in conn.execute(periods.group_by(rollup.monitor_sid)):
        sums = list(row)[1:]
        for i, period in enumerate(PERIODS):
            result[row[0]].periods[period] = [float(sums[i]), float(sums[i + len(PERIODS)])]
    epoch = _epoch(dialect)

    def slots(step: timedelta, where: sa.ColumnElement[bool]) -> sa.Select[Any]:
        slot = (epoch // int(step.total_seconds())).label("slot")
        sums = (counted, rollup.down_seconds, rollup.sum_ms, rollup.timed)
        return (
            sa.select(rollup.monitor_sid, slot, *(sa.func.sum(v) for v in sums))
            .where(where)
            .group_by(rollup.monitor_sid, slot)
        )

    def slot_start(number: int, step: timedelta) -> datetime:
        return EPOCH + int(number) * step

    day = timedelta(days=1)
    for sid, number, counted_s, down_s, _, _ in map(tuple, conn.execute(slots(day, mine))):
        result[sid].days[slot_start(number, day).date()] = [float(counted_s), float(down_s), 0.0]
    for chart, step in CHART_STEPS.items():
        # The first slot may start before the period: only its hours inside count.
        timed = sa.and_(mine, rollup.timed > 0, rollup.hour >= starts[chart])
        for sid, number, _, _, sum_ms, count in map(tuple, conn.execute(slots(step, timed))):
            result[sid].charts[chart][slot_start(number, step)] = [float(sum_ms), float(count)]
    return result
