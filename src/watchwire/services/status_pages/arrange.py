"""A status page's view arranged from what was read: day bars, uptime figures, chart
points, groups and notices, and the tag that changes with them. Pure: run off the event
loop by the visit (services/status_pages/visit.py)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from watchwire.clock import as_utc
from watchwire.services.status_pages.records import Notice, finished
from watchwire.services.status_pages.uptime import DAYS, Totals, Window, hour_floor
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


def arrange(
    row: Any,
    notices: Sequence[Notice],
    components: Sequence[tuple[str, str | None]],
    states: dict[str, tuple[str, ComponentState, datetime | None]],
    totals: dict[str, Totals],
    windows: dict[str, list[Window]],
    now: datetime,
    since: datetime,
) -> PageView:
    """The page's view from what was read of it: its row, notices, component states and
    sums."""
    views: dict[str, ComponentView] = {}
    for sid, _ in components:
        name, state, checked = states.get(sid, (sid, "unknown", None))
        if under_maintenance(windows.get(sid, ()), now):
            state = "maintenance"
        views[sid] = component_view(sid, name, state, checked, totals.get(sid), now)
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
        etag=content_tag(body, hour_floor(now)),
    )


def content_tag(*content: object) -> str:
    """A tag that changes when `content` does. orjson writes the view's dataclasses about
    ten times faster than `repr` (tens of ms of a 200-component page's computation)."""
    dumped = orjson.dumps(content, default=repr, option=orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(dumped).hexdigest()[:32]


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


def component_view(
    sid: str,
    name: str,
    state: ComponentState,
    checked: datetime | None,
    totals: Totals | None,
    now: datetime,
) -> ComponentView:
    kind = {"MO": "monitor", "CM": "certificate", "DM": "domain", "HT": "rbl_host"}[sid[:2]]
    today = now.date()
    first_day = today - timedelta(days=DAYS - 1)
    totals = totals or Totals()
    days, periods, charts = totals.days, totals.periods, totals.charts
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
