"""The up/down/degraded state machine of an uptime monitor, as a small pure class.

    state      observation                          next state   event
    pending    success (fast)                       up           —
    pending    success (slow)                       degraded     monitor.degraded
    pending/up/degraded  failure, streak < N        unchanged    — (recheck at once)
    pending/up/degraded  failure, streak ≥ N        down         monitor.down
    down       success, streak < M                  down         —
    down       success, streak ≥ M                  up/degraded  monitor.up
    up         success (slow)                       degraded     monitor.degraded
    degraded   success (fast)                       up           monitor.up

N = confirmations, M = recoveries; "slow" = response time above the degraded threshold.
It knows nothing of storage: the runner loads a `UptimeState`, calls `observe`, writes the
new state and, when `transition` is set, the event — in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

State = Literal["pending", "up", "down", "degraded"]


@dataclass(frozen=True, slots=True)
class UptimeRules:
    confirmations: int = 2
    recoveries: int = 1
    degraded_ms: float | None = None


@dataclass(frozen=True, slots=True)
class UptimeState:
    state: State = "pending"
    fail_streak: int = 0
    success_streak: int = 0
    failing_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    event: Literal["monitor.down", "monitor.up", "monitor.degraded"]
    previous: State
    current: State
    # When the monitor started failing (a down transition) — the downtime's start.
    failing_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    state: UptimeState
    transition: Transition | None
    # A first failure not yet confirmed: check again now rather than after a full interval.
    recheck: bool
    # The outcome recorded for this check: up, degraded or down.
    outcome: Literal["up", "down", "degraded"]


class UptimeEvaluator:
    """Applies one observation to a state under the monitor's rules."""

    def __init__(self, rules: UptimeRules) -> None:
        self.rules = rules

    def is_slow(self, response_ms: float | None) -> bool:
        limit = self.rules.degraded_ms
        return limit is not None and response_ms is not None and response_ms > limit

    def observe(
        self, current: UptimeState, *, ok: bool, response_ms: float | None, now: datetime
    ) -> Evaluation:
        if not ok:
            return self._failure(current, now)
        return self._success(current, response_ms)

    def _failure(self, current: UptimeState, now: datetime) -> Evaluation:
        streak = current.fail_streak + 1
        since = current.failing_since or now
        state = replace(current, fail_streak=streak, success_streak=0, failing_since=since)
        if current.state == "down":
            return Evaluation(state, None, recheck=False, outcome="down")
        if streak >= self.rules.confirmations:
            down = replace(state, state="down")
            transition = Transition("monitor.down", current.state, "down", failing_since=since)
            return Evaluation(down, transition, recheck=False, outcome="down")
        return Evaluation(state, None, recheck=True, outcome="down")

    def _success(self, current: UptimeState, response_ms: float | None) -> Evaluation:
        slow = self.is_slow(response_ms)
        healthy: Literal["up", "degraded"] = "degraded" if slow else "up"
        streak = current.success_streak + 1
        state = replace(current, fail_streak=0, success_streak=streak, failing_since=None)
        outcome = healthy
        if current.state == "down":
            if streak < self.rules.recoveries:
                # Still down until recovery is confirmed; keep the start of the outage.
                kept = replace(state, failing_since=current.failing_since)
                return Evaluation(kept, None, recheck=False, outcome=outcome)
            transition = Transition("monitor.up", "down", healthy)
            return Evaluation(replace(state, state=healthy), transition, False, outcome)
        if current.state == healthy:
            return Evaluation(state, None, recheck=False, outcome=outcome)
        new_state = replace(state, state=healthy)
        if healthy == "degraded":
            event = Transition("monitor.degraded", current.state, "degraded")
            return Evaluation(new_state, event, recheck=False, outcome=outcome)
        if current.state == "degraded":
            event = Transition("monitor.up", "degraded", "up")
            return Evaluation(new_state, event, recheck=False, outcome=outcome)
        return Evaluation(new_state, None, recheck=False, outcome=outcome)
