"""The delivery worker against a real receiver on loopback, on SQLite and PostgreSQL, with
retries driven by a frozen clock."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from standardwebhooks import Webhook

from tests.delivery.helpers import (
    add_contact,
    attempts,
    emit,
    rows,
    subscribe,
    subscription_row,
    worker,
)
from tests.servers.notification_servers import MailSink, mail_sink
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire import webhooks
from watchwire.background import delivery_worker
from watchwire.clock import FrozenClock, as_utc
from watchwire.delivery.channels import SmtpSettings
from watchwire.delivery.claims import claim_due
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["mail_sink", "webhook_receiver"]


@pytest.fixture
def clock() -> FrozenClock:
    # Receivers check the signature timestamp against their own clock: start at the real now.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


async def test_an_event_is_delivered_signed_and_logged(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url())
    event = await emit(runtime, account.account_sid)
    assert await worker(runtime).run_once() == 1

    [request] = webhook_receiver.requests()
    assert request.headers["webhook-id"] == event.sid
    body = Webhook(hook.secret).verify(request.body, dict(request.headers))
    assert body["id"] == event.sid and body["type"] == "monitor.down"
    [row] = await rows(runtime)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    [attempt] = await attempts(runtime, row.sid)
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"


@pytest.mark.parametrize("format", ["enterno", "generatorlabs", "entri", "updown"])
async def test_every_format_arrives_verifiable(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, format: str
) -> None:
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url(), format=format)
    event = await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    [request] = webhook_receiver.requests()
    body = webhooks.verify(hook.secret, request.headers, request.body, format=format)
    Webhook(hook.secret).verify(request.body, dict(request.headers))
    if format == "updown":
        assert isinstance(body, list) and body[0]["event"] == "check.down"
        assert body[0]["description"] == event.description
    elif format == "generatorlabs":
        assert body["event_sid"] == event.sid and body["event_type"] == "monitor.down"
    elif format == "entri":
        assert body["id"].replace("-", "") == event.sid[2:] and body["type"] == "monitor.down"


async def test_failures_retry_on_the_schedule_until_dead(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/down", status=500)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/down"))
    await emit(runtime, account.account_sid)
    delivery = worker(runtime, max_attempts=25, warn_after=())
    await delivery.run_once()
    [row] = await rows(runtime)
    assert row.status == "retrying" and row.last_status_code == 500
    wait = (as_utc(row.next_attempt_at) - clock.now()).total_seconds()
    assert 12 <= wait <= 18  # 15 s ± 20 % jitter
    assert await delivery.run_once() == 0  # not due yet
    clock.advance(wait + 1)
    assert await delivery.run_once() == 1
    total = wait + 1
    for _ in range(23):
        [row] = await rows(runtime)
        step = (as_utc(row.next_attempt_at) - clock.now()).total_seconds() + 1
        total += step
        clock.advance(step)
        assert await delivery.run_once() == 1
    [row] = await rows(runtime)
    assert (row.status, row.attempts) == ("dead", 25)
    assert len(webhook_receiver.requests("/down")) == 25
    assert 2 * 86400 < total < 4 * 86400  # "25 attempts over about three days"
    assert len(await attempts(runtime, row.sid)) == 25


async def test_retry_after_on_429_is_honoured(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/busy", status=429, retry_after="120")
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/busy"))
    await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    [row] = await rows(runtime)
    assert row.status == "retrying"
    assert as_utc(row.next_attempt_at) == clock.now() + timedelta(seconds=120)


async def test_410_fails_for_good_and_disables_the_endpoint(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    webhook_receiver.behave("/gone", status=410)
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url("/gone"))
    await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    [row] = await rows(runtime, target_sid=hook.sid)
    assert row.status == "failed" and row.last_status_code == 410
    sub = await subscription_row(runtime, hook.sid)
    assert not sub.is_active and "410" in sub.disabled_reason
    await emit(runtime, account.account_sid)
    assert len(await rows(runtime, target_sid=hook.sid)) == 1  # no more deliveries queued


async def test_a_hanging_receiver_times_out_and_is_retried(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    webhook_receiver.behave("/hang", delay=5)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hang"))
    await emit(runtime, account.account_sid)
    began = time.monotonic()
    await worker(runtime, timeout=0.5).run_once()
    assert time.monotonic() - began < 4
    [row] = await rows(runtime)
    assert row.status == "retrying" and "within 0.5 s" in row.last_error


async def test_a_slow_endpoint_does_not_delay_the_others(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    webhook_receiver.behave("/slow", delay=3)
    slow = await subscribe(runtime, account.account_sid, webhook_receiver.url("/slow"))
    for _ in range(6):
        await emit(runtime, account.account_sid, "monitor.up")
    fast = await subscribe(runtime, account.account_sid, webhook_receiver.url("/fast"))
    await emit(runtime, account.account_sid, "monitor.down")
    stop = asyncio.Event()
    running = asyncio.create_task(worker(runtime, per_endpoint=2, timeout=10).run(stop))
    try:
        began = time.monotonic()
        while not await rows(runtime, target_sid=fast.sid, status="delivered"):
            assert time.monotonic() - began < 2.5, "the fast endpoint waited for the slow one"
            await asyncio.sleep(0.05)
        assert len(webhook_receiver.requests("/slow")) <= 2  # its own bound holds
    finally:
        stop.set()
        await running
    # Stopping gave the slow endpoint's unfinished rows back for the next worker.
    open_rows = [r for r in await rows(runtime, target_sid=slow.sid) if r.status == "pending"]
    assert open_rows and all(r.lease_owner is None for r in open_rows)


async def test_an_expired_lease_is_claimed_again(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url())
    await emit(runtime, account.account_sid)
    dead = worker(runtime)
    assert len(await dead.claim()) == 1  # ... and the process dies before attempting
    survivor = worker(runtime)
    assert await survivor.run_once() == 0  # the lease is live
    clock.advance(dead.options.lease_seconds + 1)
    assert await survivor.run_once() == 1
    [row] = await rows(runtime)
    assert row.status == "delivered" and row.lease_owner is None


async def test_two_claimers_never_share_a_delivery(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url())
    for _ in range(30):
        await emit(runtime, account.account_sid)
    sids: list[str] = []
    for _ in range(10):  # claimers racing each other, round after round
        claims = await asyncio.gather(
            *(
                claim_due(
                    runtime.db, f"w{i}", clock.now(), limit=4, lease_seconds=60, per_target=30
                )
                for i in range(4)
            )
        )
        sids += [c.sid for batch in claims for c in batch]
    assert len(sids) == len(set(sids)) == 30


async def test_consecutive_failures_warn_the_default_group_then_disable(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/broken", status=500)
    contact, _ = await add_contact(
        runtime,
        account.account_sid,
        type="endpoint",
        args={"contact": webhook_receiver.url("/ops"), "url": webhook_receiver.url("/ops")},
        default_group=True,
    )
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url("/broken"))
    for _ in range(5):
        await emit(runtime, account.account_sid)
    delivery = worker(runtime, warn_after=(2, 4), disable_after=5)
    for _ in range(3):
        await delivery.run_once()
        clock.advance(3600)
        await delivery.run_once()
    sub = await subscription_row(runtime, hook.sid)
    assert not sub.is_active and "5 consecutive" in sub.disabled_reason
    notices = [orjson.loads(r.body) for r in webhook_receiver.requests("/ops")]
    titles = [n["message"] for n in notices]
    assert len(notices) == 3, titles  # warned at 2 and 4, disabled at 5
    assert any("disabled" in t for t in titles)
    assert all(r.target_sid == contact for r in await rows(runtime, target_type="contact"))


async def test_success_resets_the_failure_count(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    webhook_receiver.behave("/flaky", status=503)
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url("/flaky"))
    await emit(runtime, account.account_sid)
    await worker(runtime).run_once()
    assert (await subscription_row(runtime, hook.sid)).consecutive_failures == 1
    webhook_receiver.behave("/flaky", status=204)
    clock.advance(60)
    await worker(runtime).run_once()
    assert (await subscription_row(runtime, hook.sid)).consecutive_failures == 0


async def test_contacts_get_alerts_by_email_and_confirmations_while_pending(
    runtime: Runtime, account: CreatedKey, mail_sink: MailSink
) -> None:
    _active, group = await add_contact(
        runtime, account.account_sid, type="email", args={"contact": "ops@example.test"}
    )
    pending, _ = await add_contact(
        runtime,
        account.account_sid,
        type="email",
        args={"contact": "new@example.test"},
        status="pending",
        group=group,
    )
    await emit(runtime, account.account_sid, groups=[group])
    await emit(
        runtime,
        account.account_sid,
        "contact.confirm",
        resource_type="contact",
        resource_sid=pending,
    )
    smtp = SmtpSettings(host=mail_sink.host, port=mail_sink.port)
    assert await worker(runtime, smtp=smtp).run_once() == 2  # the pending one gets no alert
    assert len(mail_sink.to("ops@example.test")) == 1
    assert len(mail_sink.to("new@example.test")) == 1
    assert {r.status for r in await rows(runtime)} == {"delivered"}


async def test_a_refused_mailbox_fails_the_contact_delivery(
    runtime: Runtime, account: CreatedKey, mail_sink: MailSink
) -> None:
    _, group = await add_contact(
        runtime, account.account_sid, type="email", args={"contact": "refused@example.test"}
    )
    await emit(runtime, account.account_sid, groups=[group])
    await worker(runtime, smtp=SmtpSettings(host=mail_sink.host, port=mail_sink.port)).run_once()
    [row] = await rows(runtime)
    assert row.status == "failed" and "550" in row.last_error


async def test_a_deleted_subscription_fails_its_open_deliveries(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url())
    await emit(runtime, account.account_sid)
    await runtime.subscriptions.delete(account.account_sid, hook.sid)
    await worker(runtime).run_once()
    [row] = await rows(runtime)
    assert row.status == "failed" and "deleted" in row.last_error
    assert not webhook_receiver.requests()


async def test_a_refused_address_is_a_permanent_failure(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    await subscribe(
        runtime, account.account_sid, webhook_receiver.url().replace("127.0.0.1", "localhost")
    )
    await emit(runtime, account.account_sid)
    strict = worker(runtime, policy=TargetPolicy())  # the operator's default policy
    await strict.run_once()
    [row] = await rows(runtime)
    assert row.status == "failed" and "loopback" in row.last_error
    assert not webhook_receiver.requests()


async def test_an_overrun_worker_drops_its_outcome(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver, clock: FrozenClock
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url())
    await emit(runtime, account.account_sid)
    slow, fast = worker(runtime), worker(runtime)
    [item] = await slow.claim()
    clock.advance(slow.options.lease_seconds + 1)
    [taken] = await fast.claim()  # the lease ran out: another worker takes the delivery over
    await slow.process(item)
    assert await slow.flush() == 0  # not its delivery any more
    await fast.process(taken)
    assert await fast.flush() == 1
    [row] = await rows(runtime)
    assert (row.status, row.attempts) == ("delivered", 1)
    assert len(await attempts(runtime, row.sid)) == 1


async def test_the_worker_serve_and_worker_run_delivers(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url())
    event = await emit(runtime, account.account_sid)
    stop = asyncio.Event()
    running = asyncio.create_task(delivery_worker(runtime, concurrency=4).run(stop))
    try:
        await asyncio.wait_for(webhook_receiver.arrived.wait(), 10)
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
    assert webhook_receiver.requests()[0].headers["webhook-id"] == event.sid
    [row] = await rows(runtime)
    assert row.status == "delivered"
