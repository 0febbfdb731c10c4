"""Hourly rollups of monitor results, and the metrics computed from them.

A rollup row holds, per monitor and UTC hour: check and failure counts, up/down/degraded
seconds, Apdex counts, the sum of response times and a histogram over fixed logarithmic
buckets. Buckets are the same for every row, so histograms of any range merge by adding
counts, and a percentile over a year reads a few thousand rows, not millions of results.

Bucket i holds response times in (BASE**(i-1), BASE**i] ms, BASE = 2**(1/8): a percentile
read from a merged histogram is the upper edge of the bucket that holds the exact
nearest-rank value, never more than 9 % above it.

Beside the histogram, a row counts exactly the successful checks that answered within each
of updown's edges (EDGES_MS: 125 ms to 32 s, one column each; decision 0025). "Under 250" is
inclusive: a response of exactly 250 ms counts, as it counts as satisfied when T is 250 ms
(updown's answers show `under250 == satisfied` for T = 0.25 s).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from typing_extensions import TypedDict

from watchwire.clock import as_utc
from watchwire.store.database import Connection
from watchwire.store.tables_engine import monitor_rollups

BASE = 2 ** (1 / 8)
MAX_BUCKET = 8 * 20  # 2**20 ms ≈ 17 minutes: anything slower lands in the last bucket
PHASES = ("redirect", "dns", "connect", "tls", "first_byte", "transfer")
# updown's `by_response_time` edges (001): cumulative counts of successful checks <= edge.
EDGES_MS = (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
EDGE_COLUMNS = tuple(f"under_{edge}" for edge in EDGES_MS)
PERCENTILES = (50, 90, 95, 99)


class ResponseTimes(TypedDict):
    """Average and nearest-rank percentiles of the timed checks, ms (None: none timed)."""

    avg: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None


class ByResponseTime(TypedDict):
    """Successful checks that answered within each edge of EDGES_MS, ms (cumulative)."""

    under125: int
    under250: int
    under500: int
    under1000: int
    under2000: int
    under4000: int
    under8000: int
    under16000: int
    under32000: int


class Requests(TypedDict):
    """Exact counts of a span: checks, failed checks, Apdex satisfied and tolerated, and the
    successful checks that answered within each edge (cumulative, inclusive)."""

    samples: int
    failures: int
    satisfied: int
    tolerated: int
    by_response_time: ByResponseTime


class Figures(TypedDict):
    """`Rollup.metrics()`: what a face shows of a span (api/native/monitors.py)."""

    checks: int
    failures: int
    uptime: float | None
    apdex: float | None
    up_seconds: int
    down_seconds: int
    degraded_seconds: int
    response_time: ResponseTimes
    # The average of each phase (PHASES) seen in the span, ms.
    timings: dict[str, float | None]
    requests: Requests


def bucket_of(ms: float) -> int:
    """The histogram bucket of a response time in milliseconds."""
    if ms <= 1.0:
        return 0
    index = math.ceil(math.log(ms, BASE) - 1e-9)
    # Floating point may put an exact edge one bucket too low or high; fix it exactly.
    while index > 0 and BASE ** (index - 1) >= ms:
        index -= 1
    while BASE**index < ms:
        index += 1
    return min(index, MAX_BUCKET)


def bucket_upper(index: int) -> float:
    return float(BASE**index)


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Point:
    """One raw result as the rollup sees it."""

    monitor_sid: str
    checked_at: datetime
    outcome: str  # up | down | degraded
    response_ms: float | None
    covers_seconds: int
    apdex_t_ms: float
    phases: Mapping[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Rollup:
    count: int = 0
    failures: int = 0
    up_seconds: int = 0
    down_seconds: int = 0
    degraded_seconds: int = 0
    satisfied: int = 0
    tolerating: int = 0
    timed: int = 0
    sum_ms: float = 0.0
    histogram: dict[int, int] = field(default_factory=dict)
    phases: dict[str, list[float]] = field(default_factory=dict)
    # Successful checks that answered within EDGES_MS[i], exactly (cumulative).
    under: list[int] = field(default_factory=lambda: [0] * len(EDGES_MS))

    def add(self, point: Point) -> None:
        self.count += 1
        if point.outcome == "down":
            self.failures += 1
            self.down_seconds += point.covers_seconds
        elif point.outcome == "degraded":
            self.degraded_seconds += point.covers_seconds
        else:
            self.up_seconds += point.covers_seconds
        # Apdex: a failed check is frustrated whatever its time.
        if point.outcome != "down" and point.response_ms is not None:
            if point.response_ms <= point.apdex_t_ms:
                self.satisfied += 1
            elif point.response_ms <= 4 * point.apdex_t_ms:
                self.tolerating += 1
        if point.response_ms is not None and point.outcome != "down":
            self.timed += 1
            self.sum_ms += point.response_ms
            bucket = bucket_of(point.response_ms)
            self.histogram[bucket] = self.histogram.get(bucket, 0) + 1
            for i, edge in enumerate(EDGES_MS):
                if point.response_ms <= edge:
                    self.under[i] += 1
        for name, value in point.phases.items():
            acc = self.phases.setdefault(name, [0.0, 0])
            acc[0] += value
            acc[1] += 1

    def merge(self, other: Rollup) -> None:
        self.count += other.count
        self.failures += other.failures
        self.up_seconds += other.up_seconds
        self.down_seconds += other.down_seconds
        self.degraded_seconds += other.degraded_seconds
        self.satisfied += other.satisfied
        self.tolerating += other.tolerating
        self.timed += other.timed
        self.sum_ms += other.sum_ms
        for bucket, n in other.histogram.items():
            self.histogram[bucket] = self.histogram.get(bucket, 0) + n
        self.under = [mine + theirs for mine, theirs in zip(self.under, other.under, strict=True)]
        for name, (phase_total, phase_n) in other.phases.items():
            acc = self.phases.setdefault(name, [0.0, 0])
            acc[0] += phase_total
            acc[1] += phase_n

    def percentile(self, q: float) -> float | None:
        """The nearest-rank percentile `q` (0 to 100), as the upper edge of its bucket."""
        if self.timed == 0:
            return None
        rank = max(1, math.ceil(q / 100 * self.timed))
        seen = 0
        for bucket in sorted(self.histogram):
            seen += self.histogram[bucket]
            if seen >= rank:
                return round(bucket_upper(bucket), 3)
        return round(bucket_upper(max(self.histogram)), 3)

    def metrics(self) -> Figures:
        """uptime %, Apdex, average and percentile response times, phase averages."""
        total = self.up_seconds + self.down_seconds + self.degraded_seconds
        uptime = 100.0 * (total - self.down_seconds) / total if total else None
        apdex = (self.satisfied + self.tolerating / 2) / self.count if self.count else None
        return {
            "checks": self.count,
            "failures": self.failures,
            "uptime": round(uptime, 4) if uptime is not None else None,
            "apdex": round(apdex, 4) if apdex is not None else None,
            "up_seconds": self.up_seconds,
            "down_seconds": self.down_seconds,
            "degraded_seconds": self.degraded_seconds,
            "response_time": {
                "avg": round(self.sum_ms / self.timed, 3) if self.timed else None,
                "p50": self.percentile(50),
                "p90": self.percentile(90),
                "p95": self.percentile(95),
                "p99": self.percentile(99),
            },
            "timings": {
                name: round(total_ms / n, 3) if n else None
                for name, (total_ms, n) in sorted(self.phases.items())
            },
            "requests": {
                "samples": self.count,
                "failures": self.failures,
                "satisfied": self.satisfied,
                "tolerated": self.tolerating,
                "by_response_time": cast(
                    ByResponseTime,
                    {f"under{edge}": n for edge, n in zip(EDGES_MS, self.under, strict=True)},
                ),
            },
        }

    def to_row(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "failures": self.failures,
            "up_seconds": self.up_seconds,
            "down_seconds": self.down_seconds,
            "degraded_seconds": self.degraded_seconds,
            "satisfied": self.satisfied,
            "tolerating": self.tolerating,
            "timed": self.timed,
            "sum_ms": self.sum_ms,
            "histogram": {str(k): v for k, v in sorted(self.histogram.items())},
            "phases": {k: [v[0], int(v[1])] for k, v in sorted(self.phases.items())},
            **dict(zip(EDGE_COLUMNS, self.under, strict=True)),
        }

    @classmethod
    def from_row(cls, row: Any) -> Rollup:
        return cls(
            count=row.count,
            failures=row.failures,
            up_seconds=row.up_seconds,
            down_seconds=row.down_seconds,
            degraded_seconds=row.degraded_seconds,
            satisfied=row.satisfied,
            tolerating=row.tolerating,
            timed=row.timed,
            sum_ms=row.sum_ms,
            histogram={int(k): int(v) for k, v in (row.histogram or {}).items()},
            phases={k: [float(v[0]), int(v[1])] for k, v in (row.phases or {}).items()},
            under=[int(getattr(row, name)) for name in EDGE_COLUMNS],
        )


Key = tuple[str, datetime]


def rollup_points(points: Iterable[Point]) -> dict[Key, Rollup]:
    """Group points by (monitor, hour) and aggregate each group."""
    groups: dict[Key, Rollup] = {}
    for point in points:
        key = (point.monitor_sid, hour_of(point.checked_at))
        groups.setdefault(key, Rollup()).add(point)
    return groups


async def apply_rollups(conn: Connection, deltas: Mapping[Key, Rollup], *, lock: bool) -> None:
    """Merge `deltas` into the stored rollups inside the caller's transaction.

    `lock` (PostgreSQL) takes row locks on the existing rows so that a worker whose lease
    expired mid-write cannot lose another's increment.
    """
    if not deltas:
        return
    sids = sorted({sid for sid, _ in deltas})
    hours = sorted({hour for _, hour in deltas})
    query = sa.select(monitor_rollups).where(
        monitor_rollups.c.monitor_sid.in_(sids), monitor_rollups.c.hour.in_(hours)
    )
    if lock:
        query = query.with_for_update()
    existing = {
        (row.monitor_sid, as_utc(row.hour)): row for row in (await conn.execute(query)).all()
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, delta in deltas.items():
        row = existing.get(key)
        merged = Rollup.from_row(row) if row is not None else Rollup()
        merged.merge(delta)
        values = merged.to_row()
        if row is None:
            inserts.append({"monitor_sid": key[0], "hour": key[1], **values})
        else:
            updates.append(
                {"b_sid": key[0], "b_hour": key[1], **{"v_" + k: v for k, v in values.items()}}
            )
    if inserts:
        await conn.execute(monitor_rollups.insert(), inserts)
    if updates:
        columns = list(Rollup().to_row())
        statement = (
            monitor_rollups.update()
            .where(
                monitor_rollups.c.monitor_sid == sa.bindparam("b_sid"),
                monitor_rollups.c.hour == sa.bindparam("b_hour"),
            )
            .values({name: sa.bindparam("v_" + name) for name in columns})
        )
        await conn.execute(statement, updates)


def group_start(moment: datetime, group: str) -> datetime:
    """The start of the hour or UTC day that holds `moment`."""
    hour = hour_of(as_utc(moment))
    return hour.replace(hour=0) if group == "day" else hour


def group_step(group: str) -> timedelta:
    return timedelta(days=1) if group == "day" else timedelta(hours=1)
