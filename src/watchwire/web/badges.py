"""Shields.io-style SVG badges of one component: a grey label and a coloured value."""

from __future__ import annotations

from typing import Literal

from markupsafe import escape

from watchwire.services.status_pages.view import ComponentView, Period

BadgeKind = Literal["status", "uptime", "response"]

_GREEN, _YELLOW, _ORANGE, _RED, _BLUE, _GREY = (
    "#2e7d32", "#9a6700", "#c2410c", "#c62828", "#1d4ed8", "#5f6368",
)  # fmt: skip
_STATE_COLOURS = {
    "up": _GREEN, "degraded": _YELLOW, "down": _RED, "maintenance": _BLUE, "unknown": _GREY,
}  # fmt: skip


def _width(text: str) -> int:
    # Verdana 11px averages ~6.5 px a character; shields.io pads 10 px either side.
    return int(len(text) * 6.5) + 10


def _uptime_colour(value: float | None) -> str:
    if value is None:
        return _GREY
    if value >= 99.9:
        return _GREEN
    if value >= 99.0:
        return _YELLOW
    return _ORANGE if value >= 95.0 else _RED


def value_of(component: ComponentView, kind: BadgeKind, period: Period) -> tuple[str, str, str]:
    """(label, value, colour) of a badge."""
    if kind == "status":
        return "status", component.state, _STATE_COLOURS[component.state]
    if kind == "uptime":
        uptime = component.uptime.get(period)
        text = "no data" if uptime is None else f"{uptime:.2f}%"
        return f"uptime {period}", text, _uptime_colour(uptime)
    points = component.response_times.get("24h", ())
    if not points:
        return "response", "no data", _GREY
    mean = sum(point.ms for point in points) / len(points)
    return "response", f"{mean:.0f} ms", _BLUE


def svg(label: str, value: str, colour: str) -> str:
    left, right = _width(label), _width(value)
    total = left + right
    label_x, value_x = left / 2, left + right / 2
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{label_x}" y="14">{label}</text>'
        f'<text x="{value_x}" y="14">{value}</text></g></svg>'
    )
