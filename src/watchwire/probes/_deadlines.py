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


class _Slots:
    """The waits of one event loop, by the slot their deadline falls in."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.slots: dict[int, set[Deadline]] = {}

    def add(self, seconds: float, task: asyncio.Task[Any]) -> Deadline:
        slot = math.ceil((self.loop.time() + seconds) / GRANULARITY_S)
        waits = self.slots.get(slot)
        if waits is None:
            waits = self.slots[slot] = set()
            self.loop.call_at(slot * GRANULARITY_S, self._expire, slot)
        deadline = Deadline(task, waits)
        waits.add(deadline)
        return deadline

    def _expire(self, slot: int) -> None:
        for deadline in self.slots.pop(slot):
            deadline._expired = True
            deadline._task.cancel()


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = weakref.WeakKeyDictionary()


def _slots_of(loop: asyncio.AbstractEventLoop) -> _Slots:
    slots = _by_loop.get(loop)
    if slots is None:
        slots = _by_loop[loop] = _Slots(loop)
    return slots


def arm(loop: asyncio.AbstractEventLoop, seconds: float) -> Deadline:
    """A timeout of `seconds` (give or take GRANULARITY_S) for the running task: it cancels
    the task unless disarmed first. `loop` is the running loop, passed in because looking it
    up costs a system call on Python 3.11."""
    task = asyncio.current_task(loop)
    assert task is not None, "a deadline is armed inside a task"
    return _slots_of(loop).add(seconds, task)


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
