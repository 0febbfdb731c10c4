"""Exact response-time counters (updown's `by_response_time`): cumulative, inclusive at the
edge, stored and merged without loss on SQLite and PostgreSQL, and filled in by migration
0017 for the hours rolled up before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from watchwire.engine.rollup import EDGES_MS, Point, Rollup, apply_rollups, rollup_points
from watchwire.store.database import Database
from watchwire.store.migrate import _config, upgrade
from watchwire.store.tables_engine import monitor_results, monitor_rollups

HOUR = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _point(ms: float | None, outcome: str = "up", minute: int = 0) -> Point:
    return Point("MOa", HOUR + timedelta(minutes=minute), outcome, ms, 60, 250.0)


# Each edge exactly, and a hair above it; a failure and an untimed check count nowhere.
EDGE_POINTS = [
    *(_point(float(edge)) for edge in EDGES_MS),
    *(_point(edge + 0.001) for edge in EDGES_MS),
    _point(10.0, outcome="down"),
    _point(None),
    _point(5.0, outcome="degraded"),
]


def _expected() -> dict[str, int]:
    # Below 125: the degraded 5 ms check. At edge i: the i+1 exact edges and the i values
    # just above the edges below it.
    return {f"under{edge}": 1 + (i + 1) + i for i, edge in enumerate(EDGES_MS)}


def test_an_edge_counts_under_itself_and_a_hair_above_does_not() -> None:
    rollup = Rollup()
    for point in EDGE_POINTS:
        rollup.add(point)
    requests = rollup.metrics()["requests"]
    assert requests["by_response_time"] == _expected()
    assert requests["samples"] == len(EDGE_POINTS)
    assert requests["failures"] == 1
    # T = 250 ms: satisfied is exactly "under250", tolerated the rest up to 4T = 1000 ms.
    assert requests["satisfied"] == requests["by_response_time"]["under250"]
    assert (
        requests["satisfied"] + requests["tolerated"] == requests["by_response_time"]["under1000"]
    )


async def test_counters_survive_storage_and_merging(database: Database) -> None:
    lock = database.dialect == "postgresql"
    for i in range(0, len(EDGE_POINTS), 4):  # one transaction per few checks: merged rows
        async with database.transaction() as conn:
            await apply_rollups(conn, rollup_points(EDGE_POINTS[i : i + 4]), lock=lock)
    async with database.connect() as conn:
        rows = (await conn.execute(sa.select(monitor_rollups))).all()
    assert len(rows) == 1
    assert Rollup.from_row(rows[0]).metrics()["requests"]["by_response_time"] == _expected()


async def test_the_migration_fills_in_existing_hours(database: Database) -> None:
    """An hour whose raw results are kept is counted exactly; an older one (raw results gone)
    from its histogram, never above the truth."""
    async with database.transaction() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0014"))
    old, kept = HOUR - timedelta(days=30), HOUR
    old_rollup, kept_rollup = Rollup(), Rollup()
    for ms in (100.0, 250.0, 700.0, 40_000.0):
        old_rollup.add(Point("MOa", old, "up", ms, 60, 500.0))
        kept_rollup.add(Point("MOa", kept, "up", ms, 60, 500.0))
    legacy = {k: v for k, v in old_rollup.to_row().items() if not k.startswith("under_")}
    async with database.transaction() as conn:
        rollups = sa.table("monitor_rollups", *_legacy())
        await conn.execute(
            rollups.insert(),
            [
                {"monitor_sid": "MOa", "hour": old, **legacy},
                {"monitor_sid": "MOa", "hour": kept, **legacy},
            ],
        )
        # The first result kept is in the hour before `kept`: `kept` is complete.
        await conn.execute(
            monitor_results.insert(),
            [
                _result(kept - timedelta(minutes=30), 3.0),
                *(
                    _result(kept + timedelta(minutes=i), ms)
                    for i, ms in enumerate((100.0, 250.0, 700.0, 40_000.0))
                ),
                _result(kept + timedelta(minutes=9), 90.0, outcome="down"),
            ],
        )
    await upgrade(database)
    async with database.connect() as conn:
        rows = {
            r.hour.replace(tzinfo=UTC): Rollup.from_row(r)
            for r in (await conn.execute(sa.select(monitor_rollups))).all()
        }
    exact = rows[kept].metrics()["requests"]["by_response_time"]
    assert exact == kept_rollup.metrics()["requests"]["by_response_time"]
    assert exact["under125"] == 1 and exact["under250"] == 2 and exact["under32000"] == 3
    estimated = rows[old].metrics()["requests"]["by_response_time"]
    # 250 ms lies inside a histogram bucket (edge 256): the estimate counts it under 500.
    assert estimated["under125"] == 1 and estimated["under250"] == 1
    assert estimated["under500"] == 2 and estimated["under32000"] == 3


def _legacy() -> list[sa.ColumnClause[object]]:
    """The table's columns before 0017."""
    return [
        sa.column(c.name, c.type)
        for c in monitor_rollups.columns
        if not c.name.startswith("under_")
    ]


def _result(at: datetime, ms: float, outcome: str = "up") -> dict[str, object]:
    return {
        "monitor_sid": "MOa",
        "checked_at": at,
        "outcome": outcome,
        "response_ms": ms,
        "error": None,
        "covers_seconds": 60,
        "lateness_ms": 0.0,
        "location": "local",
        "details": {},
    }
