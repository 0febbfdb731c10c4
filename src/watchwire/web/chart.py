"""The response-time chart, drawn on the server as SVG geometry the template writes out:
no script runs in the visitor's browser."""

from __future__ import annotations

from dataclasses import dataclass

from watchwire.services.status_pages.view import ResponsePoint

WIDTH = 600
HEIGHT = 120
_PAD_TOP = 8


@dataclass(frozen=True, slots=True)
class Chart:
    points: str  # the polyline's "x,y x,y ..."
    count: int
    low_ms: float
    mean_ms: float
    high_ms: float
    label: str  # the text alternative


def draw(points: tuple[ResponsePoint, ...], period_words: str) -> Chart | None:
    """The polyline of one period's points scaled into the chart box, oldest left; None
    when the period has no point at all."""
    if not points:
        return None
    ordered = sorted(points, key=lambda point: point.at)
    values = [point.ms for point in ordered]
    high = max(values)
    low = min(values)
    scale = high if high > 0 else 1.0
    start = ordered[0].at.timestamp()
    span = ordered[-1].at.timestamp() - start
    coordinates = []
    for point in ordered:
        x = WIDTH * (point.at.timestamp() - start) / span if span else WIDTH / 2
        y = HEIGHT - (HEIGHT - _PAD_TOP) * point.ms / scale
        coordinates.append(f"{x:.1f},{y:.1f}")
    mean = sum(values) / len(values)
    label = (
        f"Response time over the last {period_words}: {len(values)} points, "
        f"lowest {low:.0f} ms, mean {mean:.0f} ms, highest {high:.0f} ms"
    )
    return Chart(" ".join(coordinates), len(values), low, mean, high, label)
