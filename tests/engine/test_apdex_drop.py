"""Apdex drops (updown's `check.performance_drop`): the pure rule, and end to end from a
local site that slows down, through the outbox, to an updown-format webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.delivery.helpers import rows, subscribe, worker
from tests.engine.test_runner import create, engine_for, events_of
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.engine.apdex_drop import evaluate
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["site", "webhook_receiver"]

H = datetime(2026, 3, 1, 12, tzinfo=UTC)
# DIALECTS.md §3.2: every field of updown's check object.
CHECK_FIELDS = (
    "token url alias last_status uptime down down_since up_since error period apdex_t "
    "string_match enabled published disabled_locations recipients last_check_at next_check_at "
    "created_at mute_until favicon_url custom_headers http_verb http_body ssl domain type"
).split()


def _hours(*values: float) -> dict[datetime, float]:
    """Consecutive hours ending at H, oldest first."""
    return {H - timedelta(hours=len(values) - 1 - i): v for i, v in enumerate(values)}


def test_more_than_30_percent_below_the_lowest_of_5_hours_is_a_drop() -> None:
    drop = evaluate(H, _hours(0.95, 1.0, 0.9, 1.0, 1.0, 0.62))
    assert drop is not None
    assert drop.lowest == 0.9 and drop.apdex == 0.62
    assert round(drop.dropped * 100) == 31
    assert list(drop.recent) == [H - timedelta(hours=n) for n in range(5, -1, -1)]


def test_what_is_no_drop() -> None:
    # Exactly 30 % below the lowest: not more than 30 %.
    assert evaluate(H, _hours(1.0, 1.0, 0.9, 1.0, 1.0, 0.63)) is None
    # The lowest earlier hour counts, not the average: 0.5 is 29 % below 0.7.
    assert evaluate(H, _hours(1.0, 0.7, 1.0, 1.0, 1.0, 0.5)) is None
    # Only 4 earlier hours sampled (one missing): no baseline.
    values = _hours(1.0, 1.0, 1.0, 1.0, 1.0, 0.1)
    del values[H - timedelta(hours=3)]
    assert evaluate(H, values) is None
    # A lowest of 0 cannot drop; an hour not sampled cannot either.
    assert evaluate(H, _hours(1.0, 0.0, 1.0, 1.0, 1.0, 0.0)) is None
    assert evaluate(H + timedelta(hours=1), _hours(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)) is None


async def test_a_site_that_slows_down_raises_one_drop_through_the_outbox(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    hook = await subscribe(
        runtime,
        account.account_sid,
        webhook_receiver.url(),
        format="updown",
        events=["monitor.apdex_drop"],
    )
    # T = 100 ms: loopback answers are satisfied; 0.5 s (over 4T) is frustrated.
    sid = await create(
        runtime,
        account,
        kind="http",
        target=site.url,
        name="shop",
        interval=1200,
        apdex_t_ms=100,
    )
    engine = engine_for(runtime, probe_ctx)
    clock.advance(10)
    start = clock.now()
    for check in range(3 * 6):  # 3 checks an hour: 5 fast hours, then a slow one
        site.delay = 0.5 if check >= 15 else 0.0
        assert (await engine.run_once()).written == 1
        clock.advance(1200)
        if check == 16:  # the slow hour has not ended: nothing yet
            assert [e.type for e in await events_of(runtime, account)] == []
    site.delay = 0.0
    await engine.run_once()  # the first check of the next hour ends the slow one

    events = [e for e in await events_of(runtime, account) if e.type == "monitor.apdex_drop"]
    assert len(events) == 1
    event = events[0]
    slow_hour = start.replace(minute=0, second=0) + timedelta(hours=5)
    assert event.payload["hour"] == slow_hour.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (event.payload["apdex"], event.payload["lowest_apdex"]) == (0.0, 1.0)
    assert event.payload["dropped_percent"] == 100
    assert [v["apdex"] for v in event.payload["last_metrics"].values()] == [1.0] * 5 + [0.0]
    assert "dropped 100%" in event.description
    # One hour later, fast again: the drop is not repeated (a fast hour is no drop).
    for _ in range(3):
        clock.advance(1200)
        await engine.run_once()
    assert sum(e.type == "monitor.apdex_drop" for e in await events_of(runtime, account)) == 1

    # The outbox row was written with the event; the worker sends it in updown's shape.
    assert [
        r.target_sid for r in await rows(runtime, event_sid=event.sid, target_type="webhook")
    ] == [hook.sid]
    await worker(runtime).run_once()
    (received,) = webhook_receiver.requests()
    (item,) = json.loads(received.body)
    assert item["event"] == "check.performance_drop"
    assert item["apdex_dropped"] == "100%"
    assert item["check"]["token"] == sid
    # The full check object (the one GET /api/checks/:token renders), as it stood then.
    assert set(item["check"]) == set(CHECK_FIELDS)
    assert item["check"]["alias"] == "shop" and item["check"]["down"] is False
    assert item["check"]["apdex_t"] == 0.1 and item["check"]["period"] == 1200
    assert 0 < item["check"]["uptime"] <= 100 and item["check"]["type"] == "http"
    assert len(item["last_metrics"]) == 6
