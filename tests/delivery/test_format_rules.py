"""Each webhook format's delivery rules against a real receiver on loopback, on SQLite and
PostgreSQL: its User-Agent, which answers count as delivered, how many attempts it gets, and
when its endpoint is disabled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.delivery.helpers import emit, rows, subscribe, subscription_row, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock, as_utc
from watchwire.delivery.formats import FORMATS
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import events
from watchwire.store.tables_webhooks import webhook_subscriptions

__all__ = ["webhook_receiver"]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.mark.parametrize(
    ("format", "agent"),
    [
        ("standard", "watchwire-webhooks/1"),
        ("generatorlabs", "watchwire-webhooks/1"),
        ("updown", "updown.io webhooks"),
    ],
)
async def test_each_format_sends_its_own_user_agent(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, format: str, agent: str
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url(), format=format)
    await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    [request] = webhook_receiver.requests()
    assert request.headers["User-Agent"] == agent


@pytest.mark.parametrize(("format", "status"), [("standard", "delivered"), ("updown", "retrying")])
async def test_a_204_is_delivered_except_where_only_200_counts(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, format: str, status: str
) -> None:
    webhook_receiver.behave("/empty", status=204, body="")
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/empty"), format=format)
    await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    [row] = await rows(runtime)
    assert (row.status, row.last_status_code) == (status, 204)


async def test_entri_gives_up_after_three_retries(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/down", status=500)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/down"), format="entri")
    await emit(runtime, account.account_sid)
    delivery = worker(runtime, max_attempts=25, warn_after=())
    for _ in range(6):
        await delivery.run_once()
        [row] = await rows(runtime)
        if row.next_attempt_at is not None:
            clock.advance((as_utc(row.next_attempt_at) - clock.now()).total_seconds() + 1)
    [row] = await rows(runtime)
    # Sent once, retried 3 times (GAPS.md: "Entri retries 3 times").
    assert (row.status, row.attempts) == ("dead", 4)
    assert len(webhook_receiver.requests("/down")) == 4


async def test_standard_keeps_the_operators_attempt_count(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/down", status=500)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/down"))
    await emit(runtime, account.account_sid)
    delivery = worker(runtime, max_attempts=4, warn_after=())
    for _ in range(6):
        await delivery.run_once()
        [row] = await rows(runtime)
        if row.next_attempt_at is not None:
            clock.advance((as_utc(row.next_attempt_at) - clock.now()).total_seconds() + 1)
    [row] = await rows(runtime)
    assert (row.status, row.attempts) == ("dead", 4)


async def test_updown_endpoint_is_disabled_at_its_thousandth_failure(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    webhook_receiver.behave("/down", status=500)
    hook = await subscribe(
        runtime, account.account_sid, webhook_receiver.url("/down"), format="updown"
    )
    async with runtime.db.transaction() as conn:  # 998 failures already behind it
        await conn.execute(
            webhook_subscriptions.update()
            .where(webhook_subscriptions.c.sid == hook.sid)
            .values(consecutive_failures=998)
        )
    await emit(runtime, account.account_sid)
    await emit(runtime, account.account_sid)
    # The operator would disable at 5; updown's own rule is 1,000, and it wins.
    delivery = worker(runtime, warn_after=(), disable_after=5)
    await delivery.run_once()
    sub = await subscription_row(runtime, hook.sid)
    assert not sub.is_active and "1000 consecutive" in sub.disabled_reason
    async with runtime.db.connect() as conn:
        types = (await conn.execute(sa.select(events.c.type))).scalars().all()
    assert types.count("webhook.disabled") == 1


def test_the_rules_of_every_format_are_declared() -> None:
    assert FORMATS["entri"].rules.attempts(25) == 4
    assert FORMATS["standard"].rules.attempts(25) == 25
    assert FORMATS["updown"].rules.succeeded(200) and not FORMATS["updown"].rules.succeeded(201)
    assert FORMATS["enterno"].rules.succeeded(201)
