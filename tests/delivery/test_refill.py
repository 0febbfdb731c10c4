"""A slot freed by a finished attempt is refilled at once, not at the next poll: with a poll
far longer than the test, one endpoint's backlog (five times its share) drains, and so does a
backlog larger than all the worker's slots. Before, one endpoint's backlog waited a poll per
share (8 per 0.25 s by default: ~32 deliveries/s to one endpoint)."""

from __future__ import annotations

import asyncio
import time

from tests.delivery.helpers import emit, rows, subscribe, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["webhook_receiver"]

POLL = 60.0  # a poll the test never waits for


async def _drain(runtime: Runtime, expected: int, **options: int) -> float:
    """Seconds until `expected` rows are delivered by one running worker (then stopped)."""
    stop = asyncio.Event()
    running = asyncio.create_task(worker(runtime, poll_interval=POLL, **options).run(stop))
    began = time.monotonic()
    try:
        while len(await rows(runtime, status="delivered")) < expected:
            assert time.monotonic() - began < 20, "the backlog waited for a poll"
            await asyncio.sleep(0.02)
        return time.monotonic() - began
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)  # stopping does not wait for the poll either


async def test_one_endpoint_backlog_is_refilled_as_slots_free(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url())
    for _ in range(40):
        await emit(runtime, account.account_sid)
    await _drain(runtime, 40, per_endpoint=8)
    assert len(webhook_receiver.requests()) == 40


async def test_a_backlog_past_every_slot_is_refilled_as_slots_free(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    for path in ("/a", "/b", "/c"):
        await subscribe(runtime, account.account_sid, webhook_receiver.url(path))
    for _ in range(10):
        await emit(runtime, account.account_sid)  # one delivery per subscription
    await _drain(runtime, 30, concurrency=4, per_endpoint=8)
    assert len(webhook_receiver.requests()) == 30
