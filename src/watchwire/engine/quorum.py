"""The verdict of a monitor checked from several locations (decision 0032), as a pure
function of each location's own state.

Each location runs the monitor's up/down machine on its own results (confirmations and
recoveries per location, evaluate_uptime.py). A location *answers* while its last check is
recent (two intervals and the timeout, plus a margin): a location whose agent went silent
does not vote, so a dead agent is no outage. Among the answering locations:

    down       at least `quorum` of them are down (None: a strict majority of them)
    partial    some are down, fewer than that: one place's trouble, not an outage
    degraded   at least that many are degraded, none down
    up         otherwise
    pending    no location has a verdict yet
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Verdict = Literal["pending", "up", "degraded", "partial", "down"]
# Beyond two intervals and the timeout: room for a batch on its way from an agent.
ANSWER_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class LocationState:
    location: str
    state: str  # pending | up | down | degraded
    last_checked_at: datetime | None


@dataclass(frozen=True, slots=True)
class QuorumVerdict:
    verdict: Verdict
    # The answering locations that see it down, and all that answered.
    down: tuple[str, ...]
    answered: tuple[str, ...]


def answers(state: LocationState, now: datetime, interval: int, timeout: float) -> bool:
    if state.last_checked_at is None or state.state == "pending":
        return False
    window = timedelta(seconds=2 * interval + timeout) + ANSWER_MARGIN
    return state.last_checked_at >= now - window


def needed(answered: int, quorum: int | None) -> int:
    """How many answering locations must agree: the quorum (never more than answered), or
    a strict majority."""
    if quorum is not None:
        return max(1, min(quorum, answered))
    return answered // 2 + 1


def verdict(
    states: Iterable[LocationState],
    *,
    now: datetime,
    interval: int,
    timeout: float,
    quorum: int | None,
) -> QuorumVerdict:
    voting = sorted(
        (s for s in states if answers(s, now, interval, timeout)), key=lambda s: s.location
    )
    answered = tuple(s.location for s in voting)
    down = tuple(s.location for s in voting if s.state == "down")
    if not voting:
        return QuorumVerdict("pending", (), ())
    enough = needed(len(voting), quorum)
    if len(down) >= enough:
        return QuorumVerdict("down", down, answered)
    if down:
        return QuorumVerdict("partial", down, answered)
    degraded = sum(1 for s in voting if s.state == "degraded")
    return QuorumVerdict("degraded" if degraded >= enough else "up", (), answered)
