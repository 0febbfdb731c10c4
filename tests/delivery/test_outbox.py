"""The outbox: who gets a delivery row for an event, written in the event's transaction."""

from __future__ import annotations

import pytest

from tests.delivery.helpers import add_contact, emit, rows, subscribe
from watchwire.events.store import record_event
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

URL = "http://127.0.0.1:9/hook"


async def targets(runtime: Runtime, event_sid: str) -> set[str]:
    return {r.target_sid for r in await rows(runtime, event_sid=event_sid)}


async def test_subscriptions_filter_by_event_type_and_activity(
    runtime: Runtime, account: CreatedKey
) -> None:
    everything = await subscribe(runtime, account.account_sid, URL)
    downs = await subscribe(runtime, account.account_sid, URL, events=["monitor.down"])
    await subscribe(runtime, account.account_sid, URL, is_active=False)
    other = await runtime.accounts.create_account("other")
    await subscribe(runtime, other.account_sid, URL)

    down = await emit(runtime, account.account_sid, "monitor.down")
    up = await emit(runtime, account.account_sid, "monitor.up")
    assert await targets(runtime, down.sid) == {everything.sid, downs.sid}
    assert await targets(runtime, up.sid) == {everything.sid}
    assert all(r.status == "pending" and r.attempts == 0 for r in await rows(runtime))


async def test_the_plan_limits_event_types(runtime: Runtime) -> None:
    free = await runtime.accounts.create_account("free", plan="free")
    hook = await subscribe(runtime, free.account_sid, URL)
    assert await targets(runtime, (await emit(runtime, free.account_sid, "monitor.down")).sid) == {
        hook.sid
    }
    assert not await targets(runtime, (await emit(runtime, free.account_sid, "ssl.expired")).sid)


async def test_a_test_event_goes_only_to_its_subscription(
    runtime: Runtime, account: CreatedKey
) -> None:
    tested = await subscribe(runtime, account.account_sid, URL)
    await subscribe(runtime, account.account_sid, URL)
    event = await emit(
        runtime, account.account_sid, "test", resource_type="webhook", resource_sid=tested.sid
    )
    assert await targets(runtime, event.sid) == {tested.sid}


async def test_warnings_about_an_endpoint_skip_that_endpoint(
    runtime: Runtime, account: CreatedKey
) -> None:
    failing = await subscribe(runtime, account.account_sid, URL)
    watcher = await subscribe(runtime, account.account_sid, URL)
    event = await emit(
        runtime,
        account.account_sid,
        "webhook.failing",
        resource_type="webhook",
        resource_sid=failing.sid,
    )
    assert await targets(runtime, event.sid) == {watcher.sid}


async def test_contacts_of_the_groups_that_are_active(
    runtime: Runtime, account: CreatedKey
) -> None:
    args = {"contact": "a@example.test"}
    active, group = await add_contact(runtime, account.account_sid, type="email", args=args)
    paused, _ = await add_contact(
        runtime, account.account_sid, type="email", args=args, status="paused", group=group
    )
    elsewhere, other_group = await add_contact(
        runtime, account.account_sid, type="email", args=args
    )
    event = await emit(runtime, account.account_sid, groups=[group])
    assert await targets(runtime, event.sid) == {active}
    both = await emit(runtime, account.account_sid, groups=[group, other_group])
    assert await targets(runtime, both.sid) == {active, elsewhere}
    confirm = await emit(
        runtime,
        account.account_sid,
        "contact.confirm",
        resource_type="contact",
        resource_sid=paused,
    )
    assert await targets(runtime, confirm.sid) == {paused}


async def test_deliveries_vanish_with_a_rolled_back_event(
    runtime: Runtime, account: CreatedKey
) -> None:
    await subscribe(runtime, account.account_sid, URL)
    with pytest.raises(RuntimeError):
        async with runtime.db.transaction() as conn:
            await record_event(
                conn,
                account_sid=account.account_sid,
                type="monitor.down",
                description="x",
                payload={},
                now=runtime.clock.now(),
            )
            raise RuntimeError("the state change failed")
    assert await rows(runtime) == []
