"""The sums the database makes for a status page equal the same sums made hour by hour in
Python, on SQLite and PostgreSQL: days, periods and each chart's points."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from watchwire.clock import FrozenClock
from watchwire.engine.rollup import Rollup, hour_of
from watchwire.runtime import Runtime
from watchwire.services.status_pages.uptime import (
    DAYS,
    hour_floor,
    hourly_totals,
    summed_totals,
)
from watchwire.store.tables_engine import monitor_rollups


async def test_database_sums_equal_hourly_sums(runtime: Runtime) -> None:
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(37 * 60)  # not on the hour: periods start mid-slot
    now = runtime.clock.now()
    rng = random.Random(3)
    rows = []
    for sid in ("MO" + "a" * 32, "MO" + "b" * 32):
        for hours_ago in range(DAYS * 24 + 30):  # some rows older than the page shows
            if rng.random() < 0.1:
                continue  # hours without checks
            down = rng.choice((0, 0, 0, 60, 600))
            timed = rng.choice((0, 5, 60))
            rollup = Rollup(
                count=60,
                failures=1 if down else 0,
                up_seconds=3600 - down,
                down_seconds=down,
                timed=timed,
                sum_ms=timed * rng.uniform(1, 300),
            )
            hour = hour_of(now) - timedelta(hours=hours_ago)
            rows.append({"monitor_sid": sid, "hour": hour, **rollup.to_row()})
    async with runtime.db.transaction() as conn:
        await conn.execute(monitor_rollups.insert(), rows)
    since = hour_floor(now - timedelta(days=DAYS))
    async with runtime.db.connect() as conn:
        summed = await summed_totals(runtime.db, ["MO" + "a" * 32], since, now)
        hourly = await hourly_totals(conn, "MO" + "a" * 32, since, (), now)
    got = summed["MO" + "a" * 32]
    assert dict(got.days) == dict(hourly.days)  # whole seconds: exact
    assert got.periods == hourly.periods
    for chart, points in hourly.charts.items():
        assert got.charts[chart].keys() == points.keys(), chart
        for slot, (sum_ms, timed) in points.items():
            assert got.charts[chart][slot] == pytest.approx([sum_ms, timed], rel=1e-9), slot
