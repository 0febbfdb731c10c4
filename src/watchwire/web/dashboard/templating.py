"""The dashboard's templates (autoescaped: every name, tag, target, error and response body
a user or a target supplies is shown as text) and the helpers they share: state words,
relative times, percentages and the 24-hour sparkline drawn as SVG geometry on the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from watchwire.clock import as_utc
from watchwire.engine.kinds import get_kind
from watchwire.services.monitor_overview import HOURS, HourFigures
from watchwire.web import chart

STATE_WORDS = {
    "up": "Up",
    "down": "Down",
    "degraded": "Degraded",
    "pending": "Pending",
    "paused": "Paused",
}
SPARK_STEP = 4  # SVG units per hour
SPARK_HEIGHT = 24


@dataclass(frozen=True, slots=True)
class Sparkline:
    points: str  # polyline of the hourly mean response times
    bad: tuple[int, ...]  # x of each hour with downtime
    label: str
    # The one point's (x, y) when there is only one: a line needs two.
    dot: tuple[int, float] | None = None
    width: int = HOURS * SPARK_STEP
    height: int = SPARK_HEIGHT


def sparkline(hours: tuple[HourFigures, ...], since: datetime) -> Sparkline:
    """Hourly means scaled into the box (the slowest hour at the top), oldest left; the
    hours with downtime marked below."""
    timed = [h for h in hours if h.mean_ms is not None]
    high = max((h.mean_ms or 0.0 for h in timed), default=0.0) or 1.0
    start = since.timestamp()
    scale = (SPARK_HEIGHT - 6) / high
    coordinates = []
    dots: list[tuple[int, float]] = []
    bad = []
    for figures in hours:
        slot = int((figures.hour.timestamp() - start) // 3600)
        if figures.mean_ms is not None:
            x = slot * SPARK_STEP + SPARK_STEP // 2
            y = round(SPARK_HEIGHT - 4 - scale * figures.mean_ms, 1)
            coordinates.append(f"{x},{y}")
            dots.append((x, y))
        if figures.uptime is not None and figures.uptime < 100.0:
            bad.append(slot * SPARK_STEP)
    if timed:
        mean = sum(h.mean_ms or 0.0 for h in timed) / len(timed)
        label = f"Last 24 hours: mean {mean:.0f} ms, slowest hour {high:.0f} ms"
    else:
        label = "Last 24 hours: no response times"
    if bad:
        label += f", {len(bad)} hour{'s' if len(bad) != 1 else ''} with downtime"
    dot = dots[0] if len(dots) == 1 else None
    return Sparkline(" ".join(coordinates), tuple(bad), label, dot)


def shows_target(kind: str) -> bool:
    """A heartbeat's target is only its SID: not worth a line."""
    return get_kind(kind).takes_target


def single_point(drawn: chart.Chart) -> tuple[str, str] | None:
    """The one point of a chart that has only one (drawn as a dot: a line needs two)."""
    if drawn.count != 1:
        return None
    x, y = drawn.points.split(",")
    return x, y


def shown_state(state: str, paused: bool) -> str:
    return "paused" if paused else state


def ago(at: datetime | None, now: datetime) -> str:
    """`3 min ago`: what a person reading a list wants; the exact time is in the title."""
    if at is None:
        return "never"
    seconds = int((now - (as_utc(at) or now)).total_seconds())
    if seconds < 0:
        return "in " + _span(-seconds)
    if seconds < 5:
        return "just now"
    return _span(seconds) + " ago"


def _span(seconds: int) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def duration(seconds: int) -> str:
    return _span(seconds) if seconds else "0 s"


def percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.2f}%"


def stamp(at: datetime | None) -> str:
    return "" if at is None else (as_utc(at) or at).strftime("%Y-%m-%d %H:%M:%S UTC")


def uptime_class(value: float | None) -> str:
    if value is None:
        return "muted"
    if value >= 99.9:
        return "good"
    return "fair" if value >= 99.0 else "bad"


templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    STATE_WORDS=STATE_WORDS,
    sparkline=sparkline,
    shown_state=shown_state,
    shows_target=shows_target,
    single_point=single_point,
    ago=ago,
    duration=duration,
    percent=percent,
    stamp=stamp,
    uptime_class=uptime_class,
    chart=chart,
    timedelta=timedelta,
)


def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(template).render(**context), status_code=status)


def error_page(status: int, title: str, message: str) -> HTMLResponse:
    return render("error.html", status, title=title, message=message, code=status)
