"""Whether a monitor's alerts are held back, and what the end of a mute announces.

A mute is stored as text: an ISO 8601 UTC time (muted until then), `recovery` (muted until
the monitor is next up) or `forever`. While muted, checks go on and events are recorded,
but their deliveries are held. When a mute ends nothing held is sent: only the current
state is announced, once, and only if it differs from the state last announced (`up` when
nothing was ever announced: a monitor starts out presumed healthy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from watchwire.clock import as_utc

RECOVERY = "recovery"
FOREVER = "forever"
ANNOUNCED_STATES = frozenset({"up", "down", "degraded"})

MuteStatus = Literal["none", "active", "ended"]


def mute_status(mute_until: str | None, now: datetime, *, state: str) -> MuteStatus:
    """`active` while the mute holds at `now` for a monitor in `state`, `ended` when it no
    longer does (its time passed, or the monitor is up again under `recovery`), `none`
    when there is no mute."""
    if mute_until is None:
        return "none"
    if mute_until == FOREVER:
        return "active"
    if mute_until == RECOVERY:
        return "ended" if state == "up" else "active"
    until = as_utc(datetime.fromisoformat(mute_until))
    return "active" if until is not None and now < until else "ended"


def to_announce(state: str, announced: str | None) -> str | None:
    """The state the end of a mute announces: `state` when it is worth telling and differs
    from what was last announced, else None."""
    if state not in ANNOUNCED_STATES or state == (announced or "up"):
        return None
    return state
