"""A visit of a status page: who may see it, and the `PageView` it shows.

Uptime, day bars and response times come from the hourly rollups (engine/rollup.py's
table), never from raw results: 90 days of a component are at most 2,160 rows. Only uptime
monitors have rollups; certificate monitors, domains and blocklist hosts show their current
state, with no uptime figures (None) and no chart. An hour under a maintenance window of
the component counts its downtime as maintenance, outside the uptime figures.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock, as_utc
from watchwire.errors import ForbiddenError, NotFoundError
from watchwire.services.status_pages.queries import read_notices
from watchwire.services.status_pages.records import Notice, finished, hash_key
from watchwire.services.status_pages.view import (
    ChartPeriod,
    ComponentState,
    ComponentView,
    DayBar,
    GroupView,
    NoticeView,
    OverallState,
    PageView,
    Period,
    ResponsePoint,
    UpdateView,
)
from watchwire.store.database import Connection, Database
from watchwire.store.tables_certs import cert_monitors
from watchwire.store.tables_domains import monitored_domains
from watchwire.store.tables_engine import monitor_rollups, monitors
from watchwire.store.tables_rbl import rbl_hosts
from watchwire.store.tables_status import status_notices, status_pages

DAYS = 90
PERIODS: dict[Period, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
# Width of one chart point per period: 24 points a day, 42 a week, 30 a month.
CHART_STEPS: dict[ChartPeriod, timedelta] = {
    "24h": timedelta(hours=1),
    "7d": timedelta(hours=4),
    "30d": timedelta(days=1),
}


class AccessDeniedError(ForbiddenError):
    """A protected page asked for without its access key (or with a wrong one)."""

    code = "access_denied"


Window = tuple[datetime, datetime]


class StatusPageVisits:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def by_domain(self, host: str) -> str:
        """The token of the page served at custom domain `host` (port and case ignored)."""
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        async with self._db.connect() as conn:
            token = (
                await conn.execute(
                    sa.select(status_pages.c.token).where(
                        status_pages.c.custom_domain == name.lower().rstrip(".")
                    )
                )
            ).scalar()
        if token is None:
            raise NotFoundError("Resource not found")
        return str(token)

    async def visit(
        self,
        token: str | None,
        *,
        access_key: str | None = None,
        host: str | None = None,
        owner_account: str | None = None,
    ) -> PageView:
        """The page as a visitor sees it now. No `token` (None or empty) with a `host` is the page
        served at that custom domain (`by_domain`); a page with a custom domain is served
        at its token as well.

        Raises NotFoundError for an unknown token, a private page seen by anyone but its
        owner (a private page's existence is not disclosed); AccessDeniedError for a protected page
        without its key (the owner needs none)."""
        if not token and host:
            token = await self.by_domain(host)
        async with self._db.connect() as conn:
            row = (
                await conn.execute(sa.select(status_pages).where(status_pages.c.token == token))
            ).first()
            if row is None:
                raise NotFoundError("Resource not found")
            owner = owner_account is not None and owner_account == row.account_sid
            if row.visibility == "private" and not owner:
                raise NotFoundError("Resource not found")
            if row.visibility == "protected" and not owner:
                given = hash_key(access_key) if access_key else ""
                if not hmac.compare_digest(given, row.access_key_hash or "x"):
                    raise AccessDeniedError(
                        "this status page needs its access key", code="access_denied"
                    )
            return await self._view(conn, row)

    async def _view(self, conn: Connection, row: Any) -> PageView:
        now = self._clock.now()
        since = now - timedelta(days=DAYS)
        notices, _ = await read_notices(
            conn,
            sa.and_(
                status_notices.c.page_token == row.token,
                sa.or_(
                    status_notices.c.starts_at >= since,
                    status_notices.c.ends_at.is_(None),
                    status_notices.c.ends_at >= since,
                    status_notices.c.state.notin_(("resolved", "completed")),
                ),
            ),
        )
        windows = maintenance_windows(notices, now)
        components = [(c["sid"], c.get("group")) for c in row.components]
        states = await component_states(conn, [sid for sid, _ in components])
        monitor_sids = [sid for sid, _ in components if sid.startswith("MO")]
        rollups = await rollups_of(conn, monitor_sids, hour_floor(since))
        views: dict[str, ComponentView] = {}
        for sid, _ in components:
            name, state, checked = states.get(sid, (sid, "unknown", None))
            if under_maintenance(windows.get(sid, ()), now):
                state = "maintenance"
            views[sid] = component_view(
                sid, name, state, checked, rollups.get(sid), windows.get(sid, ()), now
            )
        groups = grouped(components, list(row.groups), views)
        view_notices = [notice_view(n) for n in notices]
        active = tuple(
            v
            for n, v in zip(notices, view_notices, strict=True)
            if n.type == "incident" and not finished(n.type, n.state)
        )
        maintenance = tuple(
            sorted(
                (
                    v
                    for n, v in zip(notices, view_notices, strict=True)
                    if n.type == "maintenance"
                    and not finished(n.type, n.state)
                    and (n.ends_at is None or n.ends_at > now)
                ),
                key=lambda v: v.starts_at,
            )
        )
        history = tuple(
            v
            for n, v in zip(notices, view_notices, strict=True)
            if n.type == "incident" and as_utc(n.starts_at) >= since
        )
        body = (
            row.token,
            row.name,
            row.title,
            row.description,
            row.logo_url,
            row.accent_color,
            row.footer,
            row.timezone,
            groups,
            active,
            maintenance,
            history,
        )
        return PageView(
            token=row.token,
            name=row.name,
            title=row.title or row.name,
            description=row.description,
            logo_url=row.logo_url,
            accent_color=row.accent_color,
            footer=row.footer,
            timezone=row.timezone,
            overall=overall_of([c.state for g in groups for c in g.components]),
            groups=groups,
            active_incidents=active,
            maintenance=maintenance,
            history=history,
            updated_at=now,
            # The hour matters too: a new hour moves the bars and the uptime windows.
            etag=hashlib.sha256(repr((body, hour_floor(now))).encode()).hexdigest()[:32],
        )


def hour_floor(moment: datetime) -> datetime:
    return as_utc(moment).replace(minute=0, second=0, microsecond=0)


def maintenance_windows(notices: Sequence[Notice], now: datetime) -> dict[str, list[Window]]:
    """Per component, the spans its maintenance windows covered or cover (up to now)."""
    windows: dict[str, list[Window]] = defaultdict(list)
    for notice in notices:
        start = as_utc(notice.starts_at)
        if notice.type != "maintenance" or start > now:
            continue
        # Open-ended and not completed: it lasts past now, however long it runs.
        end = as_utc(notice.ends_at) if notice.ends_at else now + timedelta(days=1)
        for sid in notice.components:
            windows[sid].append((start, end))
    return windows


def under_maintenance(windows: Sequence[Window], moment: datetime) -> bool:
    return any(start <= moment < end for start, end in windows)


def overlap(windows: Sequence[Window], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) that the windows cover (windows of one component rarely
    overlap each other; where they do the sum is capped at the span)."""
    covered = sum(
        max(0.0, (min(end, w_end) - max(start, w_start)).total_seconds())
        for w_start, w_end in windows
    )
    return min(covered, (end - start).total_seconds())


async def component_states(
    conn: Connection, sids: Sequence[str]
) -> dict[str, tuple[str, ComponentState, datetime | None]]:
    """Name, current state and last check of each component, one query per kind."""
    result: dict[str, tuple[str, ComponentState, datetime | None]] = {}
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for sid in sids:
        by_prefix[sid[:2]].append(sid)
    if by_prefix["MO"]:
        for r in await conn.execute(
            sa.select(
                monitors.c.sid,
                monitors.c.name,
                monitors.c.state,
                monitors.c.paused,
                monitors.c.last_checked_at,
            ).where(monitors.c.sid.in_(by_prefix["MO"]))
        ):
            state = "unknown" if r.paused or r.state not in ("up", "down", "degraded") else r.state
            result[r.sid] = (r.name, cast(ComponentState, state), r.last_checked_at)
    if by_prefix["CM"]:
        for r in await conn.execute(
            sa.select(
                cert_monitors.c.sid,
                cert_monitors.c.name,
                cert_monitors.c.errors,
                cert_monitors.c.paused,
                cert_monitors.c.last_checked_at,
            ).where(cert_monitors.c.sid.in_(by_prefix["CM"]))
        ):
            cert: ComponentState = (
                "unknown" if r.paused or r.last_checked_at is None else "down" if r.errors else "up"
            )
            result[r.sid] = (r.name, cert, r.last_checked_at)
    if by_prefix["DM"]:
        for r in await conn.execute(
            sa.select(
                monitored_domains.c.sid,
                monitored_domains.c.domain,
                monitored_domains.c.state,
                monitored_domains.c.paused,
                monitored_domains.c.last_checked_at,
            ).where(monitored_domains.c.sid.in_(by_prefix["DM"]))
        ):
            domain: ComponentState = (
                "unknown"
                if r.paused or r.state == "pending"
                else "up"
                if r.state == "ok"
                else "down"
                if r.state == "missing"
                else "degraded"
            )
            result[r.sid] = (r.domain, domain, r.last_checked_at)
    if by_prefix["HT"]:
        for r in await conn.execute(
            sa.select(
                rbl_hosts.c.sid,
                rbl_hosts.c.name,
                rbl_hosts.c.host,
                rbl_hosts.c.paused,
                rbl_hosts.c.listed_count,
                rbl_hosts.c.last_checked,
            ).where(rbl_hosts.c.sid.in_(by_prefix["HT"]))
        ):
            listed: ComponentState = (
                "unknown"
                if r.paused or r.last_checked is None
                else "down"
                if r.listed_count
                else "up"
            )
            result[r.sid] = (r.name or r.host, listed, r.last_checked)
    return result


async def rollups_of(
    conn: Connection, sids: Sequence[str], since: datetime
) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = defaultdict(list)
    if not sids:
        return result
    rows = await conn.execute(
        sa.select(
            monitor_rollups.c.monitor_sid,
            monitor_rollups.c.hour,
            monitor_rollups.c.up_seconds,
            monitor_rollups.c.down_seconds,
            monitor_rollups.c.degraded_seconds,
            monitor_rollups.c.timed,
            monitor_rollups.c.sum_ms,
        ).where(monitor_rollups.c.monitor_sid.in_(list(sids)), monitor_rollups.c.hour >= since)
    )
    for r in rows:
        result[r.monitor_sid].append(r)
    return result


def component_view(
    sid: str,
    name: str,
    state: ComponentState,
    checked: datetime | None,
    rollups: list[Any] | None,
    windows: Sequence[Window],
    now: datetime,
) -> ComponentView:
    kind = {"MO": "monitor", "CM": "certificate", "DM": "domain", "HT": "rbl_host"}[sid[:2]]
    today = now.date()
    first_day = today - timedelta(days=DAYS - 1)
    # Per day and per period: [counted seconds, down seconds, maintenance seconds].
    days: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    periods: dict[Period, list[float]] = {p: [0.0, 0.0] for p in PERIODS}
    charts: dict[ChartPeriod, dict[datetime, list[float]]] = {p: {} for p in CHART_STEPS}
    for r in rollups or ():
        hour = as_utc(r.hour)
        total = r.up_seconds + r.down_seconds + r.degraded_seconds
        muted = overlap(windows, hour, hour + timedelta(hours=1)) / 3600.0
        maintenance_down = r.down_seconds * muted
        counted, down = total - maintenance_down, r.down_seconds - maintenance_down
        day = days[hour.date()]
        day[0] += counted
        day[1] += down
        day[2] += maintenance_down
        for period, span in PERIODS.items():
            if hour >= hour_floor(now - span):
                periods[period][0] += counted
                periods[period][1] += down
        for chart, step in CHART_STEPS.items():
            if r.timed and hour >= hour_floor(now - PERIODS[chart]):
                slot = slot_of(hour, step)
                acc = charts[chart].setdefault(slot, [0.0, 0.0])
                acc[0] += r.sum_ms
                acc[1] += r.timed
    bars = tuple(
        DayBar(
            day=d,
            uptime=round(100.0 * (days[d][0] - days[d][1]) / days[d][0], 3)
            if days.get(d) and days[d][0]
            else None,
            down_minutes=round(days[d][1] / 60, 1) if d in days else 0.0,
            maintenance_minutes=round(max(days[d][2], 0.0) / 60 if d in days else 0.0, 1),
        )
        for d in (first_day + timedelta(days=i) for i in range(DAYS))
    )
    uptime: dict[Period, float | None] = {
        p: round(100.0 * (c - dn) / c, 3) if c else None for p, (c, dn) in periods.items()
    }
    response: dict[ChartPeriod, tuple[ResponsePoint, ...]] = (
        {
            p: tuple(ResponsePoint(at, round(s / n, 3)) for at, (s, n) in sorted(points.items()))
            for p, points in charts.items()
        }
        if kind == "monitor"
        else {}
    )
    return ComponentView(
        sid=sid,
        kind=kind,
        name=name,
        state=state,
        uptime=uptime,
        days=bars,
        response_times=response,
        last_checked_at=checked,
    )


def slot_of(hour: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=hour.tzinfo)
    return epoch + ((hour - epoch) // step) * step


def grouped(
    components: Sequence[tuple[str, str | None]],
    group_names: Sequence[str],
    views: dict[str, ComponentView],
) -> tuple[GroupView, ...]:
    """Ungrouped components first (in their order), then each group in the page's order."""
    result = []
    ungrouped = tuple(views[sid] for sid, group in components if group is None)
    if ungrouped:
        result.append(GroupView(None, ungrouped))
    for name in group_names:
        members = tuple(views[sid] for sid, group in components if group == name)
        if members:
            result.append(GroupView(name, members))
    return tuple(result)


def notice_view(notice: Notice) -> NoticeView:
    return NoticeView(
        sid=notice.sid,
        type=notice.type,
        title=notice.title,
        state=notice.state,
        message=notice.message,
        starts_at=as_utc(notice.starts_at),
        ends_at=as_utc(notice.ends_at) if notice.ends_at else None,
        components=notice.components,
        updates=tuple(UpdateView(as_utc(u.at), u.state, u.message) for u in notice.updates),
    )


def overall_of(states: Sequence[ComponentState]) -> OverallState:
    known = [s for s in states if s != "unknown"]
    if known and all(s == "down" for s in known):
        return "major_outage"
    if "down" in known:
        return "partial_outage"
    if "degraded" in known:
        return "degraded"
    if "maintenance" in known:
        return "maintenance"
    return "operational"
