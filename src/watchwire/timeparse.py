"""One parser for every time parameter of every face (updown's accepted formats, 001).

Accepted: ISO 8601 with or without a zone (no zone means UTC), a date alone, Unix seconds
(integer or decimal), RFC 2822, `now`/`today`/`yesterday`/`tomorrow`, relative offsets such as
`-2h`, `+30m`, `-1.5d`, `2 hours ago`, `in 3 days`, `1 week ago`, and other readable
absolute forms through dateutil (`May 11 2019 13:00`). Results are timezone-aware UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

from watchwire.errors import ValidationError

_UNITS: dict[str, float] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
    "mo": 2_592_000,
    "month": 2_592_000,
    "y": 31_536_000,
    "year": 31_536_000,
}
_UNIT = r"(?P<unit>[a-z]+?)s?"
_OFFSET = re.compile(rf"^(?P<sign>[+-])\s*(?P<num>\d+(?:\.\d+)?)\s*{_UNIT}$")
_AGO = re.compile(rf"^(?P<num>\d+(?:\.\d+)?|an?)\s*{_UNIT}\s+ago$")
_IN = re.compile(rf"^in\s+(?P<num>\d+(?:\.\d+)?|an?)\s*{_UNIT}$")
_EPOCH = re.compile(r"^\d{9,11}(?:\.\d+)?$")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _relative(text: str) -> float | None:
    """Seconds of a relative expression (negative = past), or None."""
    for pattern, sign in ((_OFFSET, 0), (_AGO, -1), (_IN, 1)):
        match = pattern.match(text)
        if not match:
            continue
        unit = _UNITS.get(match["unit"])
        if unit is None:
            return None
        raw = match["num"]
        number = 1.0 if raw in ("a", "an") else float(raw)
        direction = sign or (-1 if match["sign"] == "-" else 1)
        return direction * number * unit
    return None


def parse_time(value: str, *, field: str = "time", now: datetime | None = None) -> datetime:
    """Parse one time parameter; raise ValidationError naming `field` when it is not a time."""
    text = value.strip().lower()
    current = _utc(now or datetime.now(UTC))
    if not text:
        raise ValidationError.field(field, "time", f"{field} must not be empty")
    midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    named = {
        "now": current,
        "today": midnight,
        "yesterday": midnight - timedelta(days=1),
        "tomorrow": midnight + timedelta(days=1),
    }
    if text in named:
        return named[text]
    if _EPOCH.match(text):
        return datetime.fromtimestamp(float(text), UTC)
    seconds = _relative(text)
    if seconds is not None:
        try:
            return current + timedelta(seconds=seconds)
        except OverflowError:  # beyond timedelta's or datetime's years 1 to 9999
            raise ValidationError.field(
                field, "range", f"{field}={value!r} is too far from now"
            ) from None
    try:
        return _utc(datetime.fromisoformat(value.strip().replace("z", "Z")))
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return _utc(dateutil_parser.parse(value, default=midnight.replace(tzinfo=None)))
    except (ValueError, OverflowError):
        raise ValidationError.field(
            field,
            "time",
            f"{field}={value!r} is not a time: use ISO 8601, Unix seconds, RFC 2822 "
            "or a relative form such as -2h or '2 hours ago'",
        ) from None
