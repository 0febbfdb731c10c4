"""A webhook receiver down for ten hours (nothing listens on its port), then up, on a frozen
clock that the test moves from one due time to the next, as an always-awake worker would
see them: every delivery is tried exactly on the retry schedule (15 s doubling to the 5-hour
cap, ±20 %), never in between, and each is delivered at its first attempt after the
receiver is back, none dead, the endpoint not disabled."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.delivery.helpers import attempts, emit, rows, subscribe, worker
from tests.servers.plain_tls import free_port
from tests.servers.webhook_receiver import Receiver, start_receiver
from watchwire.clock import FrozenClock, as_utc
from watchwire.delivery.claims import next_due_at
from watchwire.delivery.schedule import CAP_SECONDS, JITTER, base_delay
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

EVENTS = 8
DOWN_FOR = 10 * 3600.0


@pytest.fixture
async def port() -> AsyncIterator[int]:
    yield free_port()


async def test_everything_is_delivered_on_schedule_after_a_long_outage(
    runtime: Runtime, account: CreatedKey, clock: FrozenClock, port: int
) -> None:
    hook = await subscribe(runtime, account.account_sid, f"http://127.0.0.1:{port}/hook")
    sent = {(await emit(runtime, account.account_sid)).sid for _ in range(EVENTS)}
    delivery = worker(runtime, per_endpoint=EVENTS)
    delivery.rng = random.Random(14)
    started = clock.now()
    back_at = None
    receiver: Receiver | None = None
    runner: web.AppRunner | None = None
    try:
        while (due := await next_due_at(runtime.db)) is not None:
            if receiver is None and (due - started).total_seconds() >= DOWN_FOR:
                back_at = started.timestamp() + DOWN_FOR
                clock.advance(back_at - clock.now().timestamp())
                receiver, runner = await start_receiver(port=port)
            clock.advance(max(0.0, (due - clock.now()).total_seconds()))
            assert await delivery.run_once() > 0
        await delivery.sender.close()
    finally:
        if runner is not None:
            await runner.cleanup()
    assert receiver is not None and back_at is not None

    assert {r.headers["webhook-id"] for r in receiver.requests()} == sent
    assert len(receiver.requests()) == EVENTS  # each once: all failed before, none after
    for row in await rows(runtime):
        assert row.status == "delivered"
        tries = await attempts(runtime, row.sid)
        times = [as_utc(t.started_at).timestamp() for t in tries]
        assert all(t.status_code is None for t in tries[:-1])  # refused: no answer
        assert tries[-1].status_code == 200
        for number, (before, after) in enumerate(itertools.pairwise(times), start=1):
            wait = after - before
            assert base_delay(number) * (1 - JITTER) <= wait <= base_delay(number) * (1 + JITTER)
        # Delivered at the first try after the receiver came back: within one capped wait.
        assert times[-2] < back_at <= times[-1] <= back_at + CAP_SECONDS * (1 + JITTER)
    shown = await runtime.subscriptions.get(account.account_sid, hook.sid)
    assert shown.is_active is True
