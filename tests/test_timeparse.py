"""The one time parser: a table of accepted inputs, rejections, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchwire.errors import ValidationError
from watchwire.timeparse import parse_time

NOW = datetime(2026, 11, 24, 15, 30, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-05-11T13:00:00Z", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("2019-05-11T13:00Z", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("2019-05-11T13:00:00", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),  # no zone = UTC
        ("2019-05-11T15:00:00+02:00", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("2019-05-11 13:00", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("2019-05-11", datetime(2019, 5, 11, tzinfo=UTC)),
        ("1557579600", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("1557579600.5", datetime(2019, 5, 11, 13, 0, 0, 500000, tzinfo=UTC)),
        ("Sat, 11 May 2019 13:00:00 +0000", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("Sat, 11 May 2019 15:00:00 +0200", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("May 11 2019 13:00", datetime(2019, 5, 11, 13, 0, tzinfo=UTC)),
        ("now", NOW),
        ("today", datetime(2026, 11, 24, tzinfo=UTC)),
        ("yesterday", datetime(2026, 11, 23, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 11, 25, tzinfo=UTC)),
        ("-2h", NOW - timedelta(hours=2)),
        ("-30m", NOW - timedelta(minutes=30)),
        ("+1d", NOW + timedelta(days=1)),
        ("-1.5d", NOW - timedelta(hours=36)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("1 week ago", NOW - timedelta(weeks=1)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("in 3 days", NOW + timedelta(days=3)),
        ("  5 MINUTES AGO ", NOW - timedelta(minutes=5)),
    ],
)
def test_accepted_formats(text: str, expected: datetime) -> None:
    assert parse_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["", "banana", "-2 parsecs", "2019-13-45", "3 fortnights ago"])
def test_rejected_inputs_name_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(text, field="from", now=NOW)
    assert caught.value.details[0]["field"] == "from"
    assert caught.value.details[0]["rule"] == "time"


@given(st.integers(min_value=100_000_000, max_value=32_000_000_000))
def test_unix_seconds_round_trip(seconds: int) -> None:
    assert parse_time(str(seconds)).timestamp() == seconds


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2999, 1, 1), timezones=st.just(UTC)
    )
)
def test_iso_round_trip(value: datetime) -> None:
    assert parse_time(value.isoformat()) == value


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from(["s", "m", "h", "d", "w"]))
def test_relative_offsets_are_symmetric(amount: int, unit: str) -> None:
    past = parse_time(f"-{amount}{unit}", now=NOW)
    future = parse_time(f"+{amount}{unit}", now=NOW)
    assert NOW - past == future - NOW > timedelta(0)
    assert parse_time(f"{amount}{unit} ago", now=NOW) == past


def test_results_are_utc_aware() -> None:
    for text in ("2019-05-11T13:00:00", "1557579600", "-1h", "Sat, 11 May 2019 13:00:00 +0500"):
        assert parse_time(text, now=NOW).utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["-99999999999999999999d", "in 999999999999 years", "+9000y"])
def test_offsets_past_the_representable_years_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_time(text, field="from", now=NOW)
    assert raised.value.details[0]["field"] == "from"
