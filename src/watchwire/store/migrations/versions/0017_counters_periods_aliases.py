"""Exact response-time counters on the hourly rollups: per monitor and hour, the successful
checks that answered within 125 ms, 250 ms, 500 ms, 1 s, 2 s, 4 s, 8 s, 16 s and 32 s
(cumulative, inclusive; updown's `by_response_time`; decision 0025). And 15-second periods
(updown's smallest): the business and unlimited plans allow them. And stable integer
aliases of webhook subscriptions and deliveries (`sid_aliases`, store/aliases.py) for the
faces that show integer ids; existing ones get theirs in creation order.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-03

A plan whose minimum an operator changed from the shipped 30 s keeps it. Existing rollup
rows are filled in: exactly from the raw results still kept (an hour whose raw
results are all within the retention window), else from the histogram, counting only the
buckets whose upper edge lies at or below the edge (never more than the truth).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None

EDGES_MS = (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
COLUMNS = tuple(f"under_{edge}" for edge in EDGES_MS)
BASE = 2 ** (1 / 8)


def _hour(moment: datetime) -> datetime:
    """The UTC hour, naive (SQLite answers naive UTC, PostgreSQL aware datetimes)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(minute=0, second=0, microsecond=0)


def _from_histogram(histogram: Any) -> list[int]:
    counts = [0] * len(EDGES_MS)
    for bucket, n in (histogram or {}).items():
        upper = BASE ** int(bucket)
        for i, edge in enumerate(EDGES_MS):
            if upper <= edge:
                counts[i] += int(n)
    return counts


FIFTEEN_SECOND_PLANS = ("business", "unlimited")


def _aliases() -> None:
    aliases = op.create_table(
        "sid_aliases",
        sa.Column(
            "alias",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("sid", sa.String(66), nullable=False),
        sa.UniqueConstraint("sid", name="uq_sid_aliases_sid"),
        sqlite_autoincrement=True,
    )
    assert aliases is not None
    for table in ("webhook_subscriptions", "deliveries"):
        source = sa.table(table, sa.column("sid"), sa.column("created_at"))
        op.execute(
            aliases.insert().from_select(
                ["sid"],
                sa.select(source.c.sid).order_by(source.c.created_at, source.c.sid),
            )
        )


def upgrade() -> None:
    _aliases()
    plans = sa.table("plans", sa.column("name"), sa.column("min_interval_seconds"))
    op.execute(
        plans.update()
        .where(plans.c.name.in_(FIFTEEN_SECOND_PLANS), plans.c.min_interval_seconds == 30)
        .values(min_interval_seconds=15)
    )
    with op.batch_alter_table("monitor_rollups") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer, nullable=False, server_default="0"))
    bind = op.get_bind()
    meta = sa.MetaData()
    rollups = sa.Table("monitor_rollups", meta, autoload_with=bind)
    results = sa.Table("monitor_results", meta, autoload_with=bind)
    # Per monitor, the first raw result kept: hours from the next whole hour on are complete.
    first_kept = {
        sid: _hour(first)
        for sid, first in bind.execute(
            sa.select(results.c.monitor_sid, sa.func.min(results.c.checked_at)).group_by(
                results.c.monitor_sid
            )
        )
    }
    exact: dict[tuple[str, datetime], list[int]] = defaultdict(lambda: [0] * len(EDGES_MS))
    timed = bind.execute(
        sa.select(results.c.monitor_sid, results.c.checked_at, results.c.response_ms).where(
            results.c.outcome != "down", results.c.response_ms.is_not(None)
        )
    )
    for sid, checked_at, response_ms in timed:
        counts = exact[(sid, _hour(checked_at))]
        for i, edge in enumerate(EDGES_MS):
            if response_ms <= edge:
                counts[i] += 1
    rows = bind.execute(sa.select(rollups.c.monitor_sid, rollups.c.hour, rollups.c.histogram))
    updates = []
    for sid, hour, histogram in rows:
        key = (sid, _hour(hour))
        first = first_kept.get(sid)
        complete = first is not None and key[1] > first
        counts = exact.get(key, [0] * len(EDGES_MS)) if complete else _from_histogram(histogram)
        updates.append(
            {
                "b_sid": sid,
                "b_hour": hour,
                **{"v_" + c: n for c, n in zip(COLUMNS, counts, strict=True)},
            }
        )
    if updates:
        bind.execute(
            rollups.update()
            .where(
                rollups.c.monitor_sid == sa.bindparam("b_sid"),
                rollups.c.hour == sa.bindparam("b_hour"),
            )
            .values({name: sa.bindparam("v_" + name) for name in COLUMNS}),
            updates,
        )


def downgrade() -> None:
    op.drop_table("sid_aliases")
    plans = sa.table("plans", sa.column("name"), sa.column("min_interval_seconds"))
    op.execute(
        plans.update()
        .where(plans.c.name.in_(FIFTEEN_SECOND_PLANS), plans.c.min_interval_seconds == 15)
        .values(min_interval_seconds=30)
    )
    with op.batch_alter_table("monitor_rollups") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
