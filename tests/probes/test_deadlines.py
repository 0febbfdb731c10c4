"""Coalesced deadlines: a result in time, None when late, other cancellations untouched."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

import pytest

from watchwire.probes import _deadlines
from watchwire.probes._deadlines import GRANULARITY_S, arm, within


async def test_a_quick_wait_returns_its_result_and_leaves_nothing_behind() -> None:
    loop = asyncio.get_running_loop()
    assert await within(loop, 5.0, asyncio.sleep(0, result="done")) == "done"
    assert all(not waits for waits in _deadlines._slots_by_loop[loop].values())


async def test_a_late_wait_gives_none_about_on_time() -> None:
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    assert await within(loop, 0.1, asyncio.sleep(5)) is None
    elapsed = time.monotonic() - started
    assert 0.1 <= elapsed < 0.1 + GRANULARITY_S + 0.1
    # The task is not left cancelled: it goes on awaiting normally.
    assert await asyncio.sleep(0, result="still running") == "still running"


def test_a_finished_loop_is_not_kept_alive() -> None:
    async def wait_briefly() -> None:
        await within(asyncio.get_running_loop(), 5.0, asyncio.sleep(0))

    loop = asyncio.new_event_loop()
    loop.run_until_complete(wait_briefly())
    loop.close()
    gone = weakref.ref(loop)
    del loop
    gc.collect()
    assert gone() is None


async def test_someone_elses_cancellation_propagates() -> None:
    loop = asyncio.get_running_loop()
    waiting = asyncio.create_task(within(loop, 5.0, asyncio.sleep(5)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_an_armed_deadline_that_did_not_fire_is_not_ours() -> None:
    loop = asyncio.get_running_loop()
    deadline = arm(loop, 5.0)
    try:
        assert not deadline.fired()
    finally:
        deadline.disarm()
