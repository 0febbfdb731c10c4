"""What a visitor of a status page sees, as the status-page service computes it and every
face renders it (the HTML page, its JSON twin, the feed and the badges): a typed,
face-neutral view. Times are aware UTC datetimes; the face shows them in `timezone`.

Everything here comes from the hourly rollups and the page's own incidents, never from raw
results, so a page of many components stays cheap to compute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

# A component's state as a visitor reads it. `maintenance` wins over `down` while a
# maintenance window of the page covers the component; `unknown` is "not checked yet" or
# paused.
ComponentState = Literal["up", "degraded", "down", "maintenance", "unknown"]
# The page's banner: the worst state of its components, maintenance shown as such.
OverallState = Literal["operational", "degraded", "partial_outage", "major_outage", "maintenance"]
IncidentState = Literal["investigating", "identified", "monitoring", "resolved"]
MaintenanceState = Literal["scheduled", "in_progress", "completed"]
Period = Literal["24h", "7d", "30d", "90d"]
ChartPeriod = Literal["24h", "7d", "30d"]


@dataclass(frozen=True, slots=True)
class DayBar:
    """One day of the 90-day uptime bar. `uptime` is None on a day with no checks."""

    day: date
    uptime: float | None  # percent, 0..100
    down_minutes: float
    maintenance_minutes: float


@dataclass(frozen=True, slots=True)
class ResponsePoint:
    """One point of a response-time chart: the mean of the checks in one rollup bucket."""

    at: datetime
    ms: float


@dataclass(frozen=True, slots=True)
class ComponentView:
    """One monitor on the page (any kind with an up/down state)."""

    sid: str  # the monitor's (or certificate's, domain's, RBL host's) SID
    kind: str  # "monitor" | "certificate" | "domain" | "rbl_host"
    name: str
    state: ComponentState
    uptime: dict[Period, float | None]  # percent per period, None without checks
    days: tuple[DayBar, ...]  # oldest first, 90 of them
    # Empty for kinds without a response time (certificates, domains, RBL hosts).
    response_times: dict[ChartPeriod, tuple[ResponsePoint, ...]]
    last_checked_at: datetime | None


@dataclass(frozen=True, slots=True)
class GroupView:
    """A group of components as the page orders them; `name` is None for the ungrouped."""

    name: str | None
    components: tuple[ComponentView, ...]


@dataclass(frozen=True, slots=True)
class UpdateView:
    """One update of an incident or maintenance, newest first in its notice."""

    at: datetime
    state: IncidentState | MaintenanceState
    message: str  # Markdown as written; the face renders it safely (no raw HTML)


@dataclass(frozen=True, slots=True)
class NoticeView:
    """An incident or a maintenance window as the page shows it."""

    sid: str
    type: Literal["incident", "maintenance"]
    title: str
    state: IncidentState | MaintenanceState
    message: str  # Markdown as written
    starts_at: datetime
    ends_at: datetime | None  # resolved/completed at, or a maintenance's planned end
    components: tuple[str, ...]  # SIDs of the components it concerns
    updates: tuple[UpdateView, ...]


@dataclass(frozen=True, slots=True)
class PageView:
    """A whole status page as one visit sees it."""

    token: str
    name: str
    title: str  # the custom title, else the name
    description: str
    logo_url: str | None
    accent_color: str | None  # "#rrggbb"
    footer: str
    timezone: str  # IANA name, for display
    overall: OverallState
    groups: tuple[GroupView, ...]
    active_incidents: tuple[NoticeView, ...]
    maintenance: tuple[NoticeView, ...]  # in progress or scheduled, soonest first
    history: tuple[NoticeView, ...]  # incidents of the last 90 days, newest first
    updated_at: datetime  # when the data shown was computed
    etag: str  # changes whenever anything a visitor sees changes
