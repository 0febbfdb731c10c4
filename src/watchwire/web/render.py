"""Helpers the templates share: Markdown rendered safely, times in the page's zone, words
and colours for states and uptimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markdown_it import MarkdownIt
from markupsafe import Markup

from watchwire.services.status_pages.view import DayBar

# "commonmark" with raw HTML off: what an incident's author writes is shown, never run.
# Links keep markdown-it's own URL check (no javascript:, vbscript:, file:, data: but images).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

STATE_WORDS = {
    "up": "Operational",
    "degraded": "Degraded",
    "down": "Down",
    "maintenance": "Maintenance",
    "unknown": "Unknown",
}
OVERALL_WORDS = {
    "operational": "All systems operational",
    "degraded": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "maintenance": "Maintenance in progress",
}
NOTICE_WORDS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "completed": "Completed",
}


def markdown(text: str) -> Markup:
    """Markdown as HTML; any HTML in the source comes out escaped as text."""
    return Markup(_markdown.render(text))


def zone(name: str) -> ZoneInfo:
    """The page's display zone; an unknown name shows UTC rather than failing the page."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(at: datetime, zone_name: str) -> str:
    """`2026-12-02 21:05 CET`: minutes are enough for a visitor."""
    local = at.astimezone(zone(zone_name)) if at.tzinfo else at.replace(tzinfo=UTC)
    return local.strftime("%Y-%m-%d %H:%M %Z")


def percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.2f}%"


def day_label(bar: DayBar) -> str:
    """What a day's bar says to a pointer's tooltip and to a screen reader."""
    if bar.uptime is None:
        return f"{bar.day.isoformat()}: no data"
    text = f"{bar.day.isoformat()}: {bar.uptime:.2f}% uptime, {bar.down_minutes:.0f} min down"
    if bar.maintenance_minutes:
        text += f", {bar.maintenance_minutes:.0f} min maintenance"
    return text


def day_class(bar: DayBar) -> str:
    """The colour class of a day (the stylesheet maps it to a colour per scheme)."""
    if bar.uptime is None:
        return "bar-none"
    if bar.down_minutes == 0 and bar.maintenance_minutes > 0:
        return "bar-maintenance"
    if bar.uptime >= 99.9:
        return "bar-good"
    if bar.uptime >= 99.0:
        return "bar-fair"
    if bar.uptime >= 95.0:
        return "bar-poor"
    return "bar-bad"
