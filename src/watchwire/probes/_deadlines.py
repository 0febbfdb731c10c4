"""Timeouts for many short waits, coalesced onto a few event-loop timers.

A probe bounds every connect with a timeout, and almost every connect finishes long before it.
A loop timer per connect (what asyncio.timeout arms) is created and cancelled for nothing
thousands of times a second; here the waits that end in the same GRANULARITY_S slot share one
timer, and a wait that finishes early only unhooks itself (the way Netty's hashed wheel timer
serves connect timeouts). A timeout fires up to GRANULARITY_S late, which no probe notices.
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
    __slots__ = ("expired", "task")

    def __init__(self, task: asyncio.Task[object] | None) -> None:
        self.task = task
        self.expired = False


class _Slots:
    """The waits of one event loop, by the slot their deadline falls in."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.slots: dict[int, list[_Wait]] = {}

    def add(self, seconds: float, task: asyncio.Task[object]) -> _Wait:
        slot = math.ceil((self.loop.time() + seconds) / GRANULARITY_S)
        waits = self.slots.get(slot)
        if waits is None:
            waits = self.slots[slot] = []
            self.loop.call_at(slot * GRANULARITY_S, self._expire, slot)
        wait = _Wait(task)
        waits.append(wait)
        return wait

    def _expire(self, slot: int) -> None:
        for wait in self.slots.pop(slot):
            if wait.task is not None:
                wait.expired = True
                wait.task.cancel()


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = weakref.WeakKeyDictionary()


async def within(
    loop: asyncio.AbstractEventLoop, seconds: float, awaitable: Awaitable[_T]
) -> _T | None:
    """`awaitable`'s result, or None when it did not finish within `seconds` (give or take
    GRANULARITY_S). Cancellation from anywhere else still propagates. `loop` is the running
    loop, passed in because looking it up costs a system call on Python 3.11."""
    task = asyncio.current_task(loop)
    assert task is not None, "within() runs inside a task"
    slots = _by_loop.get(loop)
    if slots is None:
        slots = _by_loop[loop] = _Slots(loop)
    wait = slots.add(seconds, task)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if wait.expired and task.uncancel() == 0:
            return None
        raise
    finally:
        wait.task = None
