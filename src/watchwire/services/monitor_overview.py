"""An account's monitors at a glance, for a list a person reads: filtered by kind, state,
tag and words of the name or target, a page at a time, each monitor with its last 24 hours
(uptime and mean response time per hour, from the hourly rollups) and the account's count
of monitors per state.

Built for thousands of monitors: the counts, the filters (but a tag's, which lives in a JSON
list and is matched here), the order and the page are SQL; only the page's monitors are
read whole, with their rollups (a page of 50 is 1,200 rollup rows, whatever the account
holds)."""

from __future__ import annotations

import json
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

    def where(self, account_sid: str) -> list[Any]:
        """The filters as SQL. A tag is inside a JSON list: its quoted JSON form is looked
        for in the list's text, which keeps every monitor with the tag and, with a tag
        that holds quotes, maybe a few more; the caller confirms on the decoded list."""
        clauses: list[Any] = [monitors.c.account_sid == account_sid]
        if self.tag is not None:
            clauses.append(
                sa.cast(monitors.c.tags, sa.Text).contains(json.dumps(self.tag), autoescape=True)
            )
        if self.kind is not None:
            clauses.append(monitors.c.kind == self.kind)
        if self.state == "paused":
            clauses.append(monitors.c.paused.is_(True))
        elif self.state is not None:
            clauses += [monitors.c.paused.is_(False), monitors.c.state == self.state]
        if self.search:
            # lower() on both backends; SQLite's folds ASCII letters only.
            words = self.search.lower()
            clauses.append(
                sa.or_(
                    sa.func.lower(monitors.c.name).contains(words, autoescape=True),
                    sa.func.lower(monitors.c.target).contains(words, autoescape=True),
                )
            )
        return clauses


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


_ORDER = (monitors.c.name, monitors.c.sid)
# What the filter line shows: each state's count (a paused monitor counts as paused) …
_COUNTS = sa.select(monitors.c.state, monitors.c.paused, sa.func.count().label("n")).group_by(
    monitors.c.state, monitors.c.paused
)
# … and the tags in use: each distinct list once (accounts reuse a few lists of tags).
# (as text: PostgreSQL has no equality on `json`).
_TAG_LISTS = sa.select(sa.cast(monitors.c.tags, sa.Text).label("tags")).distinct()


def _uptime(up: int, down: int, degraded: int) -> float | None:
    total = up + down + degraded
    return 100.0 * (total - down) / total if total else None


class MonitorOverviewService:
    def __init__(self, db: Database, clock: Clock, monitors_service: MonitorService) -> None:
        self._db = db
        self._clock = clock
        self._monitors = monitors_service

    async def overview(
        self, account_sid: str, query: MonitorQuery, page: PageRequest, *, with_tags: bool = True
    ) -> Overview:
        """A page of the account's monitors that the query keeps, by name. `with_tags`
        False leaves out the account's tags (a refresh of the rows shows none)."""
        now = self._clock.now()
        since = group_start(now - timedelta(hours=HOURS - 1), "hour")
        async with self._db.connect() as conn:
            counts = dict.fromkeys(STATES, 0)
            for row in await conn.execute(_COUNTS.where(monitors.c.account_sid == account_sid)):
                counts["paused" if row.paused else row.state] += int(row.n)
            tags: set[str] = set()
            if with_tags:
                for row in await conn.execute(
                    _TAG_LISTS.where(monitors.c.account_sid == account_sid)
                ):
                    tags.update(json.loads(row.tags))
            where = query.where(account_sid)
            if query.tag is None:
                total = int(
                    (
                        await conn.execute(
                            sa.select(sa.func.count()).select_from(monitors).where(*where)
                        )
                    ).scalar_one()
                )
                chosen = list(
                    (
                        await conn.execute(
                            sa.select(monitors.c.sid)
                            .where(*where)
                            .order_by(*_ORDER)
                            .offset(page.offset)
                            .limit(page.per_page)
                        )
                    ).scalars()
                )
            else:
                listed = await conn.execute(
                    sa.select(monitors.c.sid, monitors.c.tags).where(*where).order_by(*_ORDER)
                )
                kept = [row.sid for row in listed if query.tag in row.tags]
                total = len(kept)
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
            seconds = totals[r.monitor_sid]
            seconds[0] += r.up_seconds
            seconds[1] += r.down_seconds
            seconds[2] += r.degraded_seconds
        by_sid = {row.sid: row for row in full}
        lines = [
            MonitorLine(monitor_of(by_sid[sid]), _uptime(*totals[sid]), tuple(hours[sid]))
            for sid in chosen
            if sid in by_sid
        ]
        return Overview(Page(lines, total, page), counts, tuple(sorted(tags)), since)
