"""Timeouts for many short waits, coalesced onto a few event-loop timers.

A probe bounds every connect with a timeout, and almost every connect finishes long before it.
A loop timer per connect (what asyncio.timeout arms) is created and cancelled for nothing
thousands of times a second; here the waits that end in the same GRANULARITY_S slot share one
timer, and a wait that finishes early only takes itself out of its slot's set (the way
Netty's hashed wheel timer serves connect timeouts), so nothing of it outlives the wait. A
timeout fires up to GRANULARITY_S late, which no probe notices.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Awaitable
from typing import Any, TypeVar

_T = TypeVar("_T")

GRANULARITY_S = 0.01


class Deadline:
    """One armed timeout. After a CancelledError, `fired()` says whether it was this
    deadline's doing; `disarm()` once the wait is over, whichever way it ended."""

    __slots__ = ("_expired", "_slot", "_task")

    def __init__(self, task: asyncio.Task[Any], slot: set[Deadline]) -> None:
        self._task = task
        self._slot = slot
        self._expired = False

    def fired(self) -> bool:
        # Our own cancellation is consumed here; anyone else's is left to propagate.
        return self._expired and self._task.uncancel() == 0

    def disarm(self) -> None:
        self._slot.discard(self)


# A loop's waits by the slot their deadline falls in. Weakly keyed, and the loop is never
# stored in its own entry, so a closed loop (one per test, say) and its slots can go.
_slots_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, set[Deadline]]] = (
    weakref.WeakKeyDictionary()
)
# The loop of the last arm() and its slots: a service runs one loop, and the weak-dictionary
# lookup (a Python call and a weak reference per wait) was a visible part of a tcp probe.
_last_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
_last_slots: dict[int, set[Deadline]] = {}


def arm(loop: asyncio.AbstractEventLoop, seconds: float) -> Deadline:
    """A timeout of `seconds` (give or take GRANULARITY_S) for the running task: it cancels
    the task unless disarmed first. `loop` is the running loop, passed in because looking it
    up costs a system call on Python 3.11."""
    global _last_loop, _last_slots
    task = asyncio.current_task(loop)
    assert task is not None, "a deadline is armed inside a task"
    if _last_loop is not None and _last_loop() is loop:
        slots = _last_slots
    else:
        slots = _slots_by_loop.setdefault(loop, {})
        _last_loop, _last_slots = weakref.ref(loop), slots
    slot = math.ceil((loop.time() + seconds) / GRANULARITY_S)
    waits = slots.get(slot)
    if waits is None:
        waits = slots[slot] = set()
        loop.call_at(slot * GRANULARITY_S, _expire, slots, slot)
    deadline = Deadline(task, waits)
    waits.add(deadline)
    return deadline


def _expire(slots: dict[int, set[Deadline]], slot: int) -> None:
    for deadline in slots.pop(slot):
        deadline._expired = True
        deadline._task.cancel()


async def within(
    loop: asyncio.AbstractEventLoop, seconds: float, awaitable: Awaitable[_T]
) -> _T | None:
    """`awaitable`'s result, or None when it did not finish within `seconds` (give or take
    GRANULARITY_S). Cancellation from anywhere else still propagates."""
    deadline = arm(loop, seconds)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if deadline.fired():
            return None
        raise
    finally:
        deadline.disarm()
