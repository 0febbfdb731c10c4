"""Uptime monitors: create, read, change, pause and delete them, and read their history
(raw results, metrics from hourly rollups, downtimes).

Every call is scoped to an account: another account's monitor is "not found". Answers are
the typed records of services/monitor_records.py.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock, as_utc
from watchwire.engine.kinds import get_kind
from watchwire.engine.rollup import Figures, Rollup, group_start, group_step
from watchwire.errors import NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services import heartbeats, placements
from watchwire.services.contacts import resolve_groups
from watchwire.services.monitor_limits import check_room, check_unique, lock_account
from watchwire.services.monitor_notify import announce_unmute, owned_recipients, stored_mute
from watchwire.services.monitor_records import (
    CheckRecord,
    Downtime,
    Metrics,
    MetricsSpan,
    Monitor,
    check_of,
    downtime_of,
    monitor_of,
)
from watchwire.services.monitor_spec import MonitorFields, validate_fields
from watchwire.services.status_pages.queries import remove_pages
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import (
    downtimes,
    heartbeat_pings,
    monitor_results,
    monitor_rollups,
    monitors,
)
from watchwire.store.tables_locations import location_rollups
from watchwire.store.tables_status import status_pages
from watchwire.timeparse import parse_time

# Longest range /metrics answers in one call (a year and a bit of hourly rows).
MAX_METRICS_DAYS = 400


def _columns(fields: MonitorFields, contact_groups: list[str]) -> dict[str, Any]:
    return {
        "name": fields.name or fields.target,
        "kind": fields.kind,
        "target": fields.target,
        "options": fields.options,
        "interval_seconds": fields.interval,
        "retry_interval_seconds": fields.retry_interval,
        "timeout_seconds": fields.timeout,
        "confirmations": fields.confirmations,
        "recoveries": fields.recoveries,
        "degraded_ms": fields.degraded_ms,
        "apdex_t_ms": fields.apdex_t_ms,
        "ssl_expiry_days": fields.ssl_expiry_days,
        "expect": fields.expect,
        "paused": fields.paused,
        "tags": fields.tags,
        "note": fields.note,
        "group_name": fields.group_name,
        "contact_groups": contact_groups,
        "locations": fields.locations,
        "disabled_locations": fields.disabled_locations,
        "quorum": fields.quorum,
    }


def _fields_of(row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "target": row.target,
        "name": row.name,
        "options": row.options,
        "interval": row.interval_seconds,
        "retry_interval": row.retry_interval_seconds,
        "timeout": row.timeout_seconds,
        "confirmations": row.confirmations,
        "recoveries": row.recoveries,
        "degraded_ms": row.degraded_ms,
        "apdex_t_ms": row.apdex_t_ms,
        "ssl_expiry_days": row.ssl_expiry_days,
        "expect": row.expect,
        "paused": row.paused,
        "tags": row.tags,
        "note": row.note,
        "group_name": row.group_name,
        "contact_groups": row.contact_groups,
        "recipients": row.recipients,
        "locations": row.locations,
        "disabled_locations": row.disabled_locations,
        "quorum": row.quorum,
    }


def time_range(
    since: str | None, until: str | None, now: datetime, default: timedelta
) -> tuple[datetime, datetime]:
    """A [from, to) range from the flexible time parser; `to` defaults to now."""
    end = parse_time(until, field="to", now=now) if until else now
    # The default span is clipped at the first representable time (`to=0001-01-01`).
    span = min(default, end - datetime.min.replace(tzinfo=UTC))
    start = parse_time(since, field="from", now=now) if since else end - span
    if start >= end:
        raise ValidationError.field("from", "range", "from must be before to")
    return start, end


# A monitor row with the token of its published page (updown's `published` flag: a public
# one-monitor page of its own, services/status_pages), if it has one.
_ROWS = sa.select(monitors, status_pages.c.token.label("published_page")).select_from(
    monitors.outerjoin(status_pages, status_pages.c.published_monitor_sid == monitors.c.sid)
)


class MonitorService:
    def __init__(self, db: Database, clock: Clock, own_location: str = "local") -> None:
        self._db = db
        self._clock = clock
        # This server's own location: a monitor run from it alone needs no placements.
        self._own = own_location

    async def create(self, account_sid: str, raw: dict[str, Any], *, min_interval: int) -> Monitor:
        """A new monitor, due within a few seconds. Without `contact_groups` it tells the
        account's default contact group; groups of another account are refused (400).
        ConflictError (`monitor_exists`) when the account has one of this kind and target
        and the fields do not say `allow_duplicate`; LimitError (`monitor_limit_reached`)
        when the plan's cap is reached. A heartbeat gets its ping token and waits for its
        first ping from now."""
        sid = new_sid("monitor")
        fields = validate_fields(raw, min_interval=min_interval, default_target=sid)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await lock_account(conn, self._db, account_sid)
            await check_room(conn, account_sid)
            if not fields.allow_duplicate:
                await check_unique(conn, account_sid, fields.kind, fields.target)
            groups = await resolve_groups(conn, account_sid, fields.contact_groups)
            await placements.check_codes(
                conn, fields.locations, fields.disabled_locations, self._own
            )
            values = {
                "sid": sid,
                "account_sid": account_sid,
                **_columns(fields, groups),
                "mute_until": stored_mute(fields.mute_until, now),
                "recipients": await owned_recipients(conn, account_sid, fields.recipients),
                "state": "pending",
                "fail_streak": 0,
                "success_streak": 0,
                # Spread first checks over a few seconds so a bulk import does not fire at once.
                "next_run_at": now + timedelta(seconds=random.uniform(0, min(fields.interval, 10))),
                "created_at": now,
                "updated_at": now,
            }
            if get_kind(fields.kind).read_row is not None:
                values["ping_token"] = heartbeats.new_token()
                values.update(heartbeats.schedule(fields.options, fields.interval, now))
            await conn.execute(monitors.insert().values(values))
            await placements.replace(conn, self._own, now, [sid])
            return monitor_of(await self._row(conn, account_sid, sid))

    @staticmethod
    async def _row(conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                _ROWS.where(monitors.c.sid == sid, monitors.c.account_sid == account_sid)
            )
        ).first()
        if row is None:
            raise NotFoundError("Monitor not found")
        return row

    @staticmethod
    async def rows_of(conn: Connection, account_sid: str, sids: list[str]) -> list[Any]:
        """The rows of these monitors of the account (for monitor_of), in no set order."""
        if not sids:
            return []
        return list(
            (
                await conn.execute(
                    _ROWS.where(monitors.c.account_sid == account_sid, monitors.c.sid.in_(sids))
                )
            ).all()
        )

    async def _read(self, account_sid: str, sid: str) -> Any:
        async with self._db.connect() as conn:
            return await self._row(conn, account_sid, sid)

    async def get(self, account_sid: str, sid: str) -> Monitor:
        return monitor_of(await self._read(account_sid, sid))

    async def list(
        self, account_sid: str, page: PageRequest, *, tag: str | None = None
    ) -> Page[Monitor]:
        where = [monitors.c.account_sid == account_sid]
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    _ROWS.where(*where).order_by(monitors.c.created_at, monitors.c.sid)
                )
            ).all()
        items = [monitor_of(r) for r in rows if tag is None or tag in r.tags]
        return Page(items[page.offset : page.offset + page.per_page], len(items), page)

    async def update(
        self, account_sid: str, sid: str, changes: dict[str, Any], *, min_interval: int
    ) -> Monitor:
        """Change the fields given; the others stay. `contact_groups` given are checked
        against the account like on create (null: the default group)."""
        async with self._db.transaction() as conn:
            row = await self._row(conn, account_sid, sid)
            if "kind" in changes and changes["kind"] != row.kind:
                raise ValidationError.field("kind", "immutable", "kind cannot change")
            fields = validate_fields({**_fields_of(row), **changes}, min_interval=min_interval)
            if fields.target != row.target and not fields.allow_duplicate:
                await check_unique(conn, account_sid, row.kind, fields.target, other_than=sid)
            groups = (
                await resolve_groups(conn, account_sid, fields.contact_groups)
                if "contact_groups" in changes
                else list(row.contact_groups)
            )
            now = self._clock.now()
            values = {**_columns(fields, groups), "updated_at": now}
            if "recipients" in changes:
                values["recipients"] = await owned_recipients(conn, account_sid, fields.recipients)
            if "mute_until" in changes:
                values["mute_until"] = stored_mute(fields.mute_until, now)
                if row.mute_until is not None and values["mute_until"] is None:
                    values.update(await announce_unmute(conn, row, now))
                elif row.mute_until is None and row.announced_state is None:
                    # What the end of this mute compares with: the state as it is now.
                    if row.state in ("up", "down", "degraded"):
                        values["announced_state"] = row.state
            if get_kind(row.kind).read_row is not None:
                if fields.interval != row.interval_seconds or fields.options != row.options:
                    # The wait under way keeps its start; its deadline follows the new period.
                    anchor = as_utc(row.ping_anchor_at) or now
                    values.update(heartbeats.schedule(fields.options, fields.interval, anchor))
            elif fields.interval != row.interval_seconds or fields.target != row.target:
                values["next_run_at"] = now
            if fields.target != row.target:
                values.update(
                    ssl_bracket=None,
                    ssl_checked_at=None,
                    ssl_not_after=None,
                    ssl_valid=None,
                    ssl_error=None,
                    ssl_certificate=None,
                    domain_name=None,
                    domain_expires_at=None,
                    domain_bracket=None,
                    domain_checked_at=None,
                    domain_error=None,
                )
            await conn.execute(
                monitors.update()
                .where(monitors.c.sid == sid, monitors.c.account_sid == account_sid)
                .values(values)
            )
            # (A refused choice of locations rolls the whole change back.)
            await placements.after_update(
                conn,
                self._own,
                now,
                sid,
                (fields.locations, fields.disabled_locations),
                moved={"locations", "disabled_locations"} & changes.keys() != set(),
                due=values.get("next_run_at") == now,
            )
            return monitor_of(await self._row(conn, account_sid, sid))

    async def set_paused(self, account_sid: str, sid: str, paused: bool) -> Monitor:
        now = self._clock.now()
        values: dict[str, Any] = {"paused": paused, "updated_at": now}
        async with self._db.transaction() as conn:
            row = await self._row(conn, account_sid, sid)
            if not paused and get_kind(row.kind).read_row is not None:
                # A resumed heartbeat waits a whole period (and grace) for its next ping.
                values.update(heartbeats.schedule(row.options, row.interval_seconds, now))
            elif not paused:
                values["next_run_at"] = now
                await placements.due_now(conn, sid, now)
            await conn.execute(
                monitors.update()
                .where(monitors.c.sid == sid, monitors.c.account_sid == account_sid)
                .values(values)
            )
            return monitor_of(await self._row(conn, account_sid, sid))

    async def check_now(self, account_sid: str, sid: str) -> Monitor:
        """Make the monitor due now: the engine checks it at its next claim (within a
        second or so). A heartbeat is told by its pings, not checked: ValidationError; so is
        a paused monitor (resume it instead)."""
        async with self._db.transaction() as conn:
            row = await self._row(conn, account_sid, sid)
            if get_kind(row.kind).read_row is not None:
                raise ValidationError.field(
                    "kind", "kind", "a heartbeat monitor is told by its pings, not checked"
                )
            if row.paused:
                raise ValidationError.field("paused", "paused", "resume the monitor to check it")
            await conn.execute(
                monitors.update()
                .where(monitors.c.sid == sid, monitors.c.account_sid == account_sid)
                .values(next_run_at=self._clock.now())
            )
            return monitor_of(await self._row(conn, account_sid, sid))

    async def delete(self, account_sid: str, sid: str) -> Monitor:
        """Delete a monitor and its history; answers the monitor as it was."""
        async with self._db.transaction() as conn:
            shown = monitor_of(await self._row(conn, account_sid, sid))
            await conn.execute(
                monitors.delete().where(
                    monitors.c.sid == sid, monitors.c.account_sid == account_sid
                )
            )
            for table in (monitor_results, monitor_rollups, downtimes, heartbeat_pings):
                await conn.execute(table.delete().where(table.c.monitor_sid == sid))
            await placements.forget(conn, sid)
            # Its own published page goes with it; pages that list it among others stay.
            await remove_pages(
                conn,
                sa.select(status_pages.c.token).where(status_pages.c.published_monitor_sid == sid),
            )
        return shown

    async def results(
        self,
        account_sid: str,
        sid: str,
        page: PageRequest,
        *,
        since: str | None = None,
        until: str | None = None,
    ) -> Page[CheckRecord]:
        await self._read(account_sid, sid)
        start, end = time_range(since, until, self._clock.now(), timedelta(days=3650))
        where = (
            monitor_results.c.monitor_sid == sid,
            monitor_results.c.checked_at >= start,
            monitor_results.c.checked_at <= end,
        )
        async with self._db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(monitor_results).where(*where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(monitor_results)
                    .where(*where)
                    .order_by(monitor_results.c.checked_at.desc(), monitor_results.c.id.desc())
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        items = [check_of(r) for r in rows]
        return Page(items, int(total), page)

    async def metrics(
        self,
        account_sid: str,
        sid: str,
        *,
        since: str | None = None,
        until: str | None = None,
        group: str | None = None,
    ) -> Metrics:
        """Uptime, Apdex and response times over [from, to), whole and per hour or day.

        Rollups are hourly, so the range is widened to whole hours."""
        if group not in (None, "hour", "day", "location"):
            raise ValidationError.field("group", "enum", "group must be hour, day or location")
        monitor_row = await self._read(account_sid, sid)
        start, end = time_range(since, until, self._clock.now(), timedelta(days=1))
        if end - start > timedelta(days=MAX_METRICS_DAYS):
            raise ValidationError.field(
                "from", "range", f"a metrics range is at most {MAX_METRICS_DAYS} days"
            )
        first_hour = group_start(start, "hour")
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(monitor_rollups)
                    .where(
                        monitor_rollups.c.monitor_sid == sid,
                        monitor_rollups.c.hour >= first_hour,
                        monitor_rollups.c.hour < end,
                    )
                    .order_by(monitor_rollups.c.hour)
                )
            ).all()
        total = Rollup()
        groups: dict[datetime, Rollup] = {}
        for row in rows:
            part = Rollup.from_row(row)
            total.merge(part)
            if group:
                key = group_start(row.hour, group)
                groups.setdefault(key, Rollup()).merge(part)
        whole = MetricsSpan(first_hour, end, total.metrics())
        if not group:
            return Metrics(whole)
        if group == "location":
            spans = await self._by_location(monitor_row, first_hour, end, total)
            return Metrics(whole, group, spans)
        step = group_step(group)
        spans = tuple(MetricsSpan(key, key + step, groups[key].metrics()) for key in sorted(groups))
        return Metrics(whole, group, spans)

    async def _by_location(
        self, row: Any, first_hour: datetime, end: datetime, total: Rollup
    ) -> tuple[MetricsSpan, ...]:
        """Each location's own figures over the range (its hourly rollups); a monitor that
        runs from the server's own location alone has its own rollups as that location's."""
        lr = location_rollups
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(lr).where(
                        lr.c.monitor_sid == row.sid, lr.c.hour >= first_hour, lr.c.hour < end
                    )
                )
            ).all()
        per: dict[str, Rollup] = {}
        for found in rows:
            per.setdefault(found.location, Rollup()).merge(Rollup.from_row(found))
        if not per and not row.by_location:
            per[self._own] = total
        return tuple(
            MetricsSpan(first_hour, end, per[code].metrics(), location=code) for code in sorted(per)
        )

    async def downtimes(
        self,
        account_sid: str,
        sid: str,
        page: PageRequest,
        *,
        since: str | None = None,
        until: str | None = None,
    ) -> Page[Downtime]:
        await self._read(account_sid, sid)
        now = self._clock.now()
        start, end = time_range(since, until, now, timedelta(days=3650))
        # Every downtime that overlaps the range, including one still going on.
        where = (
            downtimes.c.monitor_sid == sid,
            downtimes.c.started_at < end,
            sa.or_(downtimes.c.ended_at.is_(None), downtimes.c.ended_at > start),
        )
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(downtimes).where(*where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(downtimes)
                    .where(*where)
                    .order_by(downtimes.c.started_at.desc())
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([downtime_of(r, now) for r in rows], int(total), page)

    async def uptimes(self, account_sid: str, since: timedelta) -> dict[str, float | None]:
        """Each of the account's monitors' uptime % over the last `since` (whole hours of
        its rollups, as `metrics` counts it); None for a monitor with nothing counted yet.
        One query for all of them: a face listing every monitor with its uptime."""
        first_hour = group_start(self._clock.now() - since, "hour")
        counted = monitor_rollups.c
        query = (
            sa.select(
                monitors.c.sid,
                sa.func.sum(counted.up_seconds + counted.down_seconds + counted.degraded_seconds),
                sa.func.sum(counted.down_seconds),
            )
            .select_from(
                monitors.outerjoin(
                    monitor_rollups,
                    sa.and_(counted.monitor_sid == monitors.c.sid, counted.hour >= first_hour),
                )
            )
            .where(monitors.c.account_sid == account_sid)
            .group_by(monitors.c.sid)
        )
        async with self._db.connect() as conn:
            rows: list[Any] = list((await conn.execute(query)).all())
        return {
            sid: round(100.0 * (int(total) - int(down or 0)) / int(total), 4) if total else None
            for sid, total, down in rows
        }

    async def downtime_results(
        self, account_sid: str, sid: str, downtime: Downtime
    ) -> tuple[tuple[CheckRecord, ...], tuple[CheckRecord, ...]]:
        """The raw results that opened and closed a downtime, per location: each location's
        first failed check from its start, and its first successful one from its end (none
        while it goes on, and none once the results are past their retention window)."""
        await self._read(account_sid, sid)
        end = downtime.ended_at or self._clock.now()
        opened = await self._first_per_location(sid, downtime.started_at, end, ("down",))
        closed: tuple[CheckRecord, ...] = ()
        if downtime.ended_at is not None:
            closed = await self._first_per_location(
                sid,
                downtime.ended_at,
                downtime.ended_at + timedelta(days=1),
                ("up", "degraded"),
            )
        return opened, closed

    async def _first_per_location(
        self,
        sid: str,
        start: datetime,
        end: datetime,
        outcomes: tuple[str, ...],
    ) -> tuple[CheckRecord, ...]:
        # Bounded: more rows than locations check a monitor, few enough to read at once.
        limit = 100
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(monitor_results)
                    .where(
                        monitor_results.c.monitor_sid == sid,
                        monitor_results.c.checked_at >= start,
                        monitor_results.c.checked_at <= end,
                        monitor_results.c.outcome.in_(outcomes),
                    )
                    .order_by(monitor_results.c.checked_at, monitor_results.c.id)
                    .limit(limit)
                )
            ).all()
        first: dict[str, CheckRecord] = {}
        for row in rows:
            first.setdefault(row.location, check_of(row))
        return tuple(first.values())

    async def metrics_by_location(
        self,
        account_sid: str,
        sid: str,
        *,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Figures]:
        """The figures of `metrics` per location the checks ran from, over [from, to),
        from the hourly rollups of each location. A monitor run from this server's own
        location alone (no placements) has its own rollups, shown under that location."""
        row = await self._read(account_sid, sid)
        start, end = time_range(since, until, self._clock.now(), timedelta(days=1))
        if end - start > timedelta(days=MAX_METRICS_DAYS):
            raise ValidationError.field(
                "from", "range", f"a metrics range is at most {MAX_METRICS_DAYS} days"
            )
        table = location_rollups if row.by_location else monitor_rollups
        query = sa.select(table).where(
            table.c.monitor_sid == sid,
            table.c.hour >= group_start(start, "hour"),
            table.c.hour < end,
        )
        async with self._db.connect() as conn:
            rows = (await conn.execute(query)).all()
        by_location: dict[str, Rollup] = {}
        for found in rows:
            code = found.location if row.by_location else self._own
            by_location.setdefault(code, Rollup()).merge(Rollup.from_row(found))
        return {code: by_location[code].metrics() for code in sorted(by_location)}

    async def add_recipient_everywhere(self, account_sid: str, recipient_sid: str) -> int:
        """Add a contact or webhook to every monitor of the account that tells its own
        recipients (the others tell the default routing, which reaches it already); the
        number of monitors changed. updown's `selected` on a new recipient."""
        async with self._db.transaction() as conn:
            await owned_recipients(conn, account_sid, [recipient_sid])
            rows = (
                await conn.execute(
                    sa.select(monitors.c.sid, monitors.c.recipients).where(
                        monitors.c.account_sid == account_sid
                    )
                )
            ).all()
            # A JSON null is not SQL's NULL on every database: told apart here.
            changed = [
                row
                for row in rows
                if row.recipients is not None and recipient_sid not in row.recipients
            ]
            for row in changed:
                await conn.execute(
                    monitors.update()
                    .where(monitors.c.sid == row.sid)
                    .values(recipients=[*row.recipients, recipient_sid])
                )
        return len(changed)
