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
from typing import TypeVar

_T = TypeVar("_T")

GRANULARITY_S = 0.01


class _Wait:
    __slots__ = ("expired", "slot", "task")

    def __init__(self, task: asyncio.Task[object], slot: set[_Wait]) -> None:
        self.task = task
        self.slot = slot
        self.expired = False


class _Slots:
    """The waits of one event loop, by the slot their deadline falls in."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.slots: dict[int, set[_Wait]] = {}

    def add(self, seconds: float, task: asyncio.Task[object]) -> _Wait:
        slot = math.ceil((self.loop.time() + seconds) / GRANULARITY_S)
        waits = self.slots.get(slot)
        if waits is None:
            waits = self.slots[slot] = set()
            self.loop.call_at(slot * GRANULARITY_S, self._expire, slot)
        wait = _Wait(task, waits)
        waits.add(wait)
        return wait

    def _expire(self, slot: int) -> None:
        for wait in self.slots.pop(slot):
            wait.expired = True
            wait.task.cancel()


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = weakref.WeakKeyDictionary()


_last: _Slots | None = None  # a process has one loop: skip the weak mapping on the hot path


def _slots_of(loop: asyncio.AbstractEventLoop) -> _Slots:
    global _last
    if _last is not None and _last.loop is loop:
        return _last
    slots = _by_loop.get(loop)
    if slots is None:
        slots = _by_loop[loop] = _Slots(loop)
    _last = slots
    return slots


async def within(
    loop: asyncio.AbstractEventLoop, seconds: float, awaitable: Awaitable[_T]
) -> _T | None:
    """`awaitable`'s result, or None when it did not finish within `seconds` (give or take
    GRANULARITY_S). Cancellation from anywhere else still propagates. `loop` is the running
    loop, passed in because looking it up costs a system call on Python 3.11."""
    task = asyncio.current_task(loop)
    assert task is not None, "within() runs inside a task"
    wait = _slots_of(loop).add(seconds, task)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if wait.expired and task.uncancel() == 0:
            return None
        raise
    finally:
        wait.slot.discard(wait)
