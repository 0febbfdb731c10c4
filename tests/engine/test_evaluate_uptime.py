"""The uptime state machine, table-driven on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from watchwire.clock import FrozenClock
from watchwire.engine.evaluate_uptime import UptimeEvaluator, UptimeRules, UptimeState

FAST, SLOW = 50.0, 900.0
OK, FAIL = (True, FAST), (False, None)
SLOW_OK = (True, SLOW)

# (rules, observations, expected states after each, events after each)
CASES = [
    pytest.param(
        UptimeRules(confirmations=2),
        [OK, FAIL, FAIL, FAIL, OK],
        ["up", "up", "down", "down", "up"],
        [None, None, "monitor.down", None, "monitor.up"],
        id="down-after-two-confirmations-then-up",
    ),
    pytest.param(
        UptimeRules(confirmations=3),
        [OK, FAIL, FAIL, OK, FAIL, FAIL],
        ["up", "up", "up", "up", "up", "up"],
        [None] * 6,
        id="a-success-resets-the-failure-count",
    ),
    pytest.param(
        UptimeRules(confirmations=1, recoveries=3),
        [FAIL, OK, OK, FAIL, OK, OK, OK],
        ["down", "down", "down", "down", "down", "down", "up"],
        [
            "monitor.down",
            None,
            None,
            None,
            None,
            None,
            "monitor.up",
        ],
        id="recovery-needs-m-successes-in-a-row",
    ),
    pytest.param(
        UptimeRules(degraded_ms=500),
        [OK, SLOW_OK, SLOW_OK, OK],
        ["up", "degraded", "degraded", "up"],
        [None, "monitor.degraded", None, "monitor.up"],
        id="degraded-when-slower-than-threshold",
    ),
    pytest.param(
        UptimeRules(confirmations=2, degraded_ms=500),
        [SLOW_OK, FAIL, FAIL, SLOW_OK],
        ["degraded", "degraded", "down", "degraded"],
        ["monitor.degraded", None, "monitor.down", "monitor.up"],
        id="degraded-to-down-and-back-slow",
    ),
    pytest.param(
        UptimeRules(confirmations=2),
        [FAIL, FAIL],
        ["pending", "down"],
        [None, "monitor.down"],
        id="a-new-monitor-can-go-down-first",
    ),
]


@pytest.mark.parametrize(("rules", "observations", "states", "events"), CASES)
def test_transitions(
    rules: UptimeRules,
    observations: list[tuple[bool, float | None]],
    states: list[str],
    events: list[str | None],
) -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    evaluator = UptimeEvaluator(rules)
    state = UptimeState()
    seen_states, seen_events = [], []
    for ok, ms in observations:
        evaluation = evaluator.observe(state, ok=ok, response_ms=ms, now=clock.now())
        state = evaluation.state
        seen_states.append(state.state)
        seen_events.append(evaluation.transition.event if evaluation.transition else None)
        clock.advance(60)
    assert seen_states == states
    assert seen_events == events


def test_first_failure_asks_for_an_immediate_recheck_and_remembers_when_it_began() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    evaluator = UptimeEvaluator(UptimeRules(confirmations=2))
    first = evaluator.observe(UptimeState("up"), ok=False, response_ms=None, now=clock.now())
    assert first.recheck and first.transition is None and first.outcome == "down"
    clock.advance(5)
    second = evaluator.observe(first.state, ok=False, response_ms=None, now=clock.now())
    assert not second.recheck
    assert second.transition is not None
    # The downtime starts at the first failed check, not at the confirmation.
    assert second.transition.failing_since == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_a_down_monitor_does_not_announce_itself_again() -> None:
    evaluator = UptimeEvaluator(UptimeRules(confirmations=1))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = evaluator.observe(UptimeState("up"), ok=False, response_ms=None, now=now).state
    again = [evaluator.observe(state, ok=False, response_ms=None, now=now) for _ in range(3)]
    assert all(e.transition is None and not e.recheck for e in again)
