"""The retry schedule's arithmetic and the shape of every payload format."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from watchwire.delivery import formats
from watchwire.delivery.schedule import CAP_SECONDS, base_delay, retry_delay
from watchwire.delivery.webhook import parse_retry_after
from watchwire.events.event import Event

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EVENT = Event(
    sid="TA" + "ab" * 16,
    account_sid="AC" + "0" * 32,
    type="monitor.down",
    description="shop (http https://shop.example) is down: HTTP 503",
    payload={
        "monitor": {"sid": "MO1", "name": "shop", "target": "https://shop.example"},
        "state": "down",
        "error": "HTTP 503",
    },
    created_at=NOW,
    resource_type="monitor",
    resource_sid="MO1",
)


def test_the_schedule_doubles_from_15_seconds_to_a_5_hour_cap() -> None:
    assert [base_delay(n) for n in (1, 2, 3)] == [15, 30, 60]
    assert base_delay(24) == CAP_SECONDS
    assert 70 * 3600 < sum(base_delay(n) for n in range(1, 25)) < 76 * 3600


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_jitter_stays_within_20_percent(failures: int, seed: int) -> None:
    delay = retry_delay(failures, rng=random.Random(seed))
    assert 0.8 * base_delay(failures) <= delay <= 1.2 * base_delay(failures)


def test_retry_after_wins_within_bounds() -> None:
    assert retry_delay(3, retry_after=120) == 120
    assert retry_delay(3, retry_after=0) == 1
    assert retry_delay(3, retry_after=10**9) == 24 * 3600
    assert parse_retry_after("30", NOW) == 30
    assert parse_retry_after("Tue, 24 Nov 2026 12:02:00 GMT", NOW) == 120
    assert parse_retry_after("soon", NOW) is None


def test_standard_format() -> None:
    body = formats.FORMATS["standard"](EVENT)
    assert body["id"] == EVENT.sid and body["type"] == "monitor.down"
    assert body["timestamp"] == "2026-11-24T12:00:00Z"
    assert body["data"]["monitor"]["name"] == "shop"


def test_generatorlabs_format_is_003s_shape() -> None:
    body = formats.FORMATS["generatorlabs"](EVENT)
    assert body["event_sid"] == EVENT.sid
    assert body["event_type"] == "monitor.down"
    assert body["event_date"] == "2026-11-24T12:00:00+00:00"


def test_updown_format_is_always_an_array_with_descriptions() -> None:
    [item] = formats.FORMATS["updown"](EVENT)
    assert item["event"] == "check.down" and item["description"] == EVENT.description
    assert item["time"] == "2026-11-24T12:00:00Z"
    assert item["check"] == {
        "token": "MO1",
        "url": "https://shop.example",
        "alias": "shop",
        "down": True,
        "error": "HTTP 503",
    }


def test_entri_format_is_002s_shape() -> None:
    event = Event(
        sid=EVENT.sid,
        account_sid=EVENT.account_sid,
        type="domain.record_missing",
        description="records missing",
        created_at=NOW,
        payload={
            "domain": "example.com",
            "subdomain": "www",
            "data": {"records_propagated": [], "records_non_propagated": [{"type": "A"}]},
        },
    )
    body = formats.FORMATS["entri"](event)
    assert body["id"] == "abababab-abab-abab-abab-abababababab"
    assert (body["user_id"], body["domain"], body["subdomain"]) == (
        EVENT.account_sid,
        "example.com",
        "www",
    )
    assert body["type"] == "domain.record_missing"
    assert body["data"]["records_non_propagated"] == [{"type": "A"}]


def test_enterno_format() -> None:
    body = formats.FORMATS["enterno"](EVENT)
    assert (body["id"], body["event"], body["created_at"]) == (
        EVENT.sid,
        "monitor.down",
        "2026-11-24T12:00:00Z",
    )
