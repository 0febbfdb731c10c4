"""Alerts held back while a monitor is muted or inside a status page's maintenance window,
and what is announced when the hold ends: only a state that is still true, once. Real checks
against a local site that goes down and up, on SQLite and PostgreSQL, with a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.delivery.helpers import subscribe
from tests.engine.test_runner import create, engine_for, events_of
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.store.tables import events
from watchwire.store.tables_webhooks import deliveries

__all__ = ["site", "webhook_receiver"]


async def _statuses(runtime: Runtime) -> dict[str, str]:
    """Each event's delivery status, by event type and order: {"monitor.down#1": "held"}."""
    query = (
        sa.select(events.c.type, deliveries.c.status)
        .join(deliveries, deliveries.c.event_sid == events.c.sid)
        .order_by(events.c.created_at, events.c.sid)
    )
    seen: dict[str, str] = {}
    async with runtime.db.connect() as conn:
        for type_, status in (await conn.execute(query)).all():
            index = sum(1 for key in seen if key.startswith(type_ + "#")) + 1
            seen[f"{type_}#{index}"] = status
    return seen


async def _window_over(
    runtime: Runtime, account: CreatedKey, components: list[str], held: str, minutes: int
) -> str:
    """A page of `components` with a maintenance window over `held` from now on; its token."""
    page = await runtime.status_pages.create_page(
        account.account_sid,
        PageFields(name="Status", components=[ComponentInput(sid) for sid in components]),
    )
    now = runtime.clock.now()
    await runtime.status_pages.create_notice(
        account.account_sid,
        page.token,
        type="maintenance",
        title="Upgrade",
        starts_at=now,
        ends_at=now + timedelta(minutes=minutes),
        components=[held],
    )
    return page.token


async def _check(runtime: Runtime, probe_ctx: ProbeContext, seconds: float) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(seconds)
    await engine_for(runtime, probe_ctx).run_once()


async def test_a_mute_holds_alerts_and_its_end_announces_only_what_is_still_true(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hook"))
    until = runtime.clock.now() + timedelta(minutes=10)
    sid = await create(
        runtime,
        account,
        kind="http",
        target=site.url,
        name="Shop",
        confirmations=1,
        mute_until=until.isoformat(),
    )
    await _check(runtime, probe_ctx, 10)
    site.status = 503
    await _check(runtime, probe_ctx, 60)  # down, held
    site.status = 200
    await _check(runtime, probe_ctx, 60)  # up, held
    site.status = 503
    await _check(runtime, probe_ctx, 60)  # down again, held
    assert set((await _statuses(runtime)).values()) == {"held"}
    # The mute ends while the site is still down: that one state is announced, once.
    await _check(runtime, probe_ctx, 600)
    await _check(runtime, probe_ctx, 60)
    statuses = await _statuses(runtime)
    assert list(statuses.values()).count("pending") == 1
    events = await events_of(runtime, account)
    announced = [e for e in events if e.payload.get("after_mute")]
    assert [e.type for e in announced] == ["monitor.down"]
    assert "Shop" in announced[0].description and "the mute ended" in announced[0].description
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert monitor.mute_until is None


async def test_a_maintenance_window_holds_alerts_of_its_monitors_only(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hook"))
    shop = await create(
        runtime, account, kind="http", target=site.url, name="Shop", confirmations=1
    )
    other = await create(
        runtime, account, kind="http", target=site.url + "?other", name="Other", confirmations=1
    )
    token = await _window_over(runtime, account, [shop, other], shop, minutes=5)
    await _check(runtime, probe_ctx, 10)
    site.status = 503
    await _check(runtime, probe_ctx, 60)
    by_monitor = {
        e.resource_sid: e.type for e in await events_of(runtime, account) if e.resource_sid
    }
    assert by_monitor == {shop: "monitor.down", other: "monitor.down"}
    statuses = await _statuses(runtime)
    assert sorted(statuses.values()) == ["held", "pending"]  # Other's alert went out
    # The window ends with the site still down: Shop's state is announced once, and its
    # page shows it down, no longer under maintenance.
    await _check(runtime, probe_ctx, 300)
    await _check(runtime, probe_ctx, 60)
    events = [e for e in await events_of(runtime, account) if e.resource_sid == shop]
    assert [e.type for e in events] == ["monitor.down", "monitor.down"]
    assert "the maintenance window ended" in events[1].description
    assert list((await _statuses(runtime)).values()).count("pending") == 2
    view = await runtime.status_pages.visit(token)
    assert {c.sid: c.state for g in view.groups for c in g.components}[shop] == "down"


async def test_a_window_over_before_anything_changed_announces_nothing(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hook"))
    shop = await create(
        runtime, account, kind="http", target=site.url, name="Shop", confirmations=1
    )
    await _window_over(runtime, account, [shop], shop, minutes=3)
    await _check(runtime, probe_ctx, 10)
    site.status = 503
    await _check(runtime, probe_ctx, 60)  # down during the window: held
    site.status = 200
    await _check(runtime, probe_ctx, 60)  # back up during it: held
    await _check(runtime, probe_ctx, 120)  # after it: nothing to tell
    await _check(runtime, probe_ctx, 60)
    assert set((await _statuses(runtime)).values()) == {"held"}
