"""Rollups equal a direct computation over the raw results, however they are batched."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from watchwire.engine.rollup import (
    BASE,
    EDGES_MS,
    Point,
    Rollup,
    apply_rollups,
    bucket_of,
    bucket_upper,
    hour_of,
    rollup_points,
)
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitor_rollups

START = datetime(2026, 3, 1, tzinfo=UTC)

points_strategy = st.lists(
    st.builds(
        Point,
        monitor_sid=st.sampled_from(["MOa", "MOb"]),
        checked_at=st.integers(0, 3 * 86400).map(lambda s: START + timedelta(seconds=s)),
        outcome=st.sampled_from(["up", "up", "degraded", "down"]),
        response_ms=st.one_of(st.none(), st.floats(0.05, 200_000, allow_nan=False)),
        covers_seconds=st.integers(0, 300),
        apdex_t_ms=st.sampled_from([100.0, 500.0]),
        phases=st.dictionaries(st.sampled_from(["dns", "connect"]), st.floats(0, 1000)),
    ),
    max_size=60,
)


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


@given(st.floats(0.001, 1e7, allow_nan=False))
def test_a_bucket_holds_its_value(ms: float) -> None:
    index = bucket_of(ms)
    assert ms <= bucket_upper(index) or index == bucket_of(1e12)
    assert index == 0 or ms > BASE ** (index - 1)


@settings(max_examples=150, deadline=None)
@given(points_strategy)
def test_rollups_equal_direct_computation(points: list[Point]) -> None:
    total = Rollup()
    for rollup in rollup_points(points).values():
        total.merge(rollup)
    timed = [p.response_ms for p in points if p.response_ms is not None and p.outcome != "down"]
    assert total.count == len(points)
    assert total.failures == sum(p.outcome == "down" for p in points)
    assert total.down_seconds == sum(p.covers_seconds for p in points if p.outcome == "down")
    assert total.up_seconds == sum(p.covers_seconds for p in points if p.outcome == "up")
    assert math.isclose(total.sum_ms, sum(timed), rel_tol=1e-9, abs_tol=1e-6)
    satisfied = sum(
        p.outcome != "down" and p.response_ms is not None and p.response_ms <= p.apdex_t_ms
        for p in points
    )
    assert total.satisfied == satisfied
    # updown's counters are exact where the histogram is not: successful checks <= edge.
    assert total.under == [sum(ms <= edge for ms in timed) for edge in EDGES_MS]
    for q in (50, 90, 95, 99):
        estimate = total.percentile(q)
        if not timed:
            assert estimate is None
            continue
        exact = nearest_rank(timed, q)
        # The estimate is the upper edge of the exact value's bucket.
        assert estimate == round(bucket_upper(bucket_of(exact)), 3)
        assert exact <= estimate * (1 + 1e-9) and estimate <= max(exact, 1.0) * BASE + 1e-6


@settings(max_examples=100, deadline=None)
@given(points_strategy, st.integers(1, 6))
def test_merging_partial_rollups_equals_one_rollup(points: list[Point], parts: int) -> None:
    whole = rollup_points(points)
    merged: dict[tuple[str, datetime], Rollup] = {}
    for i in range(parts):
        for key, part in rollup_points(points[i::parts]).items():
            merged.setdefault(key, Rollup()).merge(part)
    assert {k: v.to_row() for k, v in merged.items()}.keys() == whole.keys()
    for key, rollup in whole.items():
        got, want = merged[key].to_row(), rollup.to_row()
        assert math.isclose(got.pop("sum_ms"), want.pop("sum_ms"), rel_tol=1e-9, abs_tol=1e-6)
        got_phases, want_phases = got.pop("phases"), want.pop("phases")
        assert got == want
        assert got_phases.keys() == want_phases.keys()


async def test_stored_rollups_equal_direct_computation(database: Database) -> None:
    """Batches written one transaction at a time add up to the rollup of all raw rows."""
    rng = random.Random(5)
    points = [
        Point(
            rng.choice(["MOa", "MOb"]),
            START + timedelta(seconds=rng.randrange(0, 6 * 3600)),
            rng.choice(["up", "degraded", "down"]),
            rng.choice([None, rng.uniform(1, 5000)]),
            60,
            500.0,
            {"connect": rng.uniform(0, 50)},
        )
        for _ in range(400)
    ]
    for start in range(0, len(points), 37):
        async with database.transaction() as conn:
            await apply_rollups(
                conn,
                rollup_points(points[start : start + 37]),
                lock=database.dialect == "postgresql",
            )
    async with database.connect() as conn:
        rows = (await conn.execute(sa.select(monitor_rollups))).all()
    stored = {
        (r.monitor_sid, hour_of(r.hour.replace(tzinfo=UTC))): Rollup.from_row(r) for r in rows
    }
    direct = rollup_points(points)
    assert stored.keys() == direct.keys()
    for key, rollup in direct.items():
        got, want = stored[key].to_row(), rollup.to_row()
        assert math.isclose(got.pop("sum_ms"), want.pop("sum_ms"), rel_tol=1e-9)
        got_phases, want_phases = got.pop("phases"), want.pop("phases")
        assert got == want
        for name, (total, n) in want_phases.items():
            assert got_phases[name][1] == n
            assert math.isclose(got_phases[name][0], total, rel_tol=1e-9)
