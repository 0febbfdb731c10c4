"""An account's monitors at a glance, for a list a person reads: filtered by kind, state,
tag and words of the name or target, a page at a time, each monitor with its last 24 hours
(uptime and mean response time per hour, from the hourly rollups) and the account's count
of monitors per state.

Built for thousands of monitors: the filters run over a narrow select of every monitor of
the account, and only the page's monitors are read whole with their rollups (a page of 100
is 2,400 rollup rows, whatever the account holds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.engine.kinds import KINDS
from watchwire.engine.rollup import group_start
from watchwire.errors import ValidationError
from watchwire.pagination import Page, PageRequest
from watchwire.services.monitor_records import Monitor, monitor_of
from watchwire.services.monitors import MonitorService
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitor_rollups, monitors

# What a list filters on: the engine's states, and `paused` (a paused monitor keeps the
# state it had, but a person looking for it thinks of it as paused).
STATES = ("up", "down", "degraded", "pending", "paused")
HOURS = 24
MAX_SEARCH = 200


@dataclass(frozen=True, slots=True)
class MonitorQuery:
    kind: str | None = None
    state: str | None = None
    tag: str | None = None
    search: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValidationError.field("kind", "enum", f"kind: one of {', '.join(KINDS)}")
        if self.state is not None and self.state not in STATES:
            raise ValidationError.field("state", "enum", f"state: one of {', '.join(STATES)}")
        if self.search is not None and len(self.search) > MAX_SEARCH:
            raise ValidationError.field("q", "max_length", f"q: at most {MAX_SEARCH} characters")

    def keeps(self, row: Any) -> bool:
        shown = "paused" if row.paused else row.state
        if self.kind is not None and row.kind != self.kind:
            return False
        if self.state is not None and shown != self.state:
            return False
        if self.tag is not None and self.tag not in row.tags:
            return False
        if self.search:
            words = self.search.casefold()
            return words in row.name.casefold() or words in row.target.casefold()
        return True


@dataclass(frozen=True, slots=True)
class HourFigures:
    """One hour of a monitor: its uptime % and mean response time (None: no data)."""

    hour: datetime
    uptime: float | None
    mean_ms: float | None


@dataclass(frozen=True, slots=True)
class MonitorLine:
    monitor: Monitor
    uptime_24h: float | None
    hours: tuple[HourFigures, ...]  # oldest first, one per hour that has a rollup


@dataclass(frozen=True, slots=True)
class Overview:
    lines: Page[MonitorLine]
    # Every monitor of the account per shown state (up, down, …, paused), whatever the filter.
    counts: dict[str, int]
    tags: tuple[str, ...]
    since: datetime


_NARROW = sa.select(
    monitors.c.sid,
    monitors.c.name,
    monitors.c.kind,
    monitors.c.target,
    monitors.c.state,
    monitors.c.paused,
    monitors.c.tags,
    monitors.c.created_at,
)


def _uptime(up: int, down: int, degraded: int) -> float | None:
    total = up + down + degraded
    return 100.0 * (total - down) / total if total else None


class MonitorOverviewService:
    def __init__(self, db: Database, clock: Clock, monitors_service: MonitorService) -> None:
        self._db = db
        self._clock = clock
        self._monitors = monitors_service

    async def overview(self, account_sid: str, query: MonitorQuery, page: PageRequest) -> Overview:
        now = self._clock.now()
        since = group_start(now - timedelta(hours=HOURS - 1), "hour")
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    _NARROW.where(monitors.c.account_sid == account_sid).order_by(
                        monitors.c.name, monitors.c.sid
                    )
                )
            ).all()
            counts = dict.fromkeys(STATES, 0)
            tags: set[str] = set()
            kept = []
            for row in rows:
                counts["paused" if row.paused else row.state] += 1
                tags.update(row.tags)
                if query.keeps(row):
                    kept.append(row.sid)
            chosen = kept[page.offset : page.offset + page.per_page]
            full = await self._monitors.rows_of(conn, account_sid, chosen)
            rollups = (
                await conn.execute(
                    sa.select(
                        monitor_rollups.c.monitor_sid,
                        monitor_rollups.c.hour,
                        monitor_rollups.c.up_seconds,
                        monitor_rollups.c.down_seconds,
                        monitor_rollups.c.degraded_seconds,
                        monitor_rollups.c.sum_ms,
                        monitor_rollups.c.timed,
                    )
                    .where(
                        monitor_rollups.c.monitor_sid.in_(chosen),
                        monitor_rollups.c.hour >= since,
                    )
                    .order_by(monitor_rollups.c.hour)
                )
            ).all()
        hours: dict[str, list[HourFigures]] = {sid: [] for sid in chosen}
        totals: dict[str, list[int]] = {sid: [0, 0, 0] for sid in chosen}
        for r in rollups:
            hours[r.monitor_sid].append(
                HourFigures(
                    r.hour,
                    _uptime(r.up_seconds, r.down_seconds, r.degraded_seconds),
                    r.sum_ms / r.timed if r.timed else None,
                )
            )
            total = totals[r.monitor_sid]
            total[0] += r.up_seconds
            total[1] += r.down_seconds
            total[2] += r.degraded_seconds
        by_sid = {row.sid: row for row in full}
        lines = [
            MonitorLine(monitor_of(by_sid[sid]), _uptime(*totals[sid]), tuple(hours[sid]))
            for sid in chosen
            if sid in by_sid
        ]
        return Overview(Page(lines, len(kept), page), counts, tuple(sorted(tags)), since)
