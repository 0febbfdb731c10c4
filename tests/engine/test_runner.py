"""The engine against real local targets that go up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.engine_targets import SwitchablePort, SwitchableSite, site, tcp_port
from watchwire.clock import FrozenClock, SystemClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.events.event import Event
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import downtimes, monitor_results, monitors

__all__ = ["knot_factory", "site", "tcp_port"]


def engine_for(runtime: Runtime, ctx: ProbeContext, owner: str = "worker-a") -> Engine:
    return Engine(runtime.db, ctx, runtime.clock, EngineConfig(concurrency=20), owner=owner)


async def create(runtime: Runtime, account: CreatedKey, **fields: Any) -> str:
    monitor = await runtime.monitors.create(account.account_sid, fields, min_interval=30)
    return monitor.sid


async def events_of(runtime: Runtime, account: CreatedKey) -> list[Event]:
    from watchwire.pagination import PageRequest

    page = await runtime.events.list(account.account_sid, PageRequest(per_page=100))
    return list(reversed(page.items))


async def test_http_monitor_goes_down_and_comes_back(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(runtime, account, kind="http", target=site.url, name="shop", interval=60)
    engine = engine_for(runtime, probe_ctx)
    clock.advance(10)
    assert (await engine.run_once()).written == 1
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"

    site.status = 503
    clock.advance(60)
    await engine.run_once()
    monitor = await runtime.monitors.get(account.account_sid, sid)
    # One failure is not enough: still up, and rechecked at once rather than in a minute.
    assert monitor.state == "up"
    assert monitor.next_run_at == monitor.last_checked_at
    clock.advance(1)
    await engine.run_once()
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "down"

    site.status = 200
    clock.advance(60)
    await engine.run_once()
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"

    events = await events_of(runtime, account)
    assert [e.type for e in events] == ["monitor.down", "monitor.up"]
    down = events[0]
    assert "shop" in down.description and "503" in down.description
    assert down.payload["monitor"]["sid"] == sid
    assert down.payload["result"]["status"] == 503
    assert "up again after 61 s down" in events[1].description
    async with runtime.db.connect() as conn:
        outage = (await conn.execute(sa.select(downtimes))).one()
        outcomes = (
            await conn.execute(
                sa.select(monitor_results.c.outcome).order_by(monitor_results.c.checked_at)
            )
        ).scalars()
        assert list(outcomes) == ["up", "down", "down", "up"]
    assert outage.ended_at is not None
    assert (outage.ended_at - outage.started_at).total_seconds() == 61


async def test_slow_site_is_degraded(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(runtime, account, kind="http", target=site.url, degraded_ms=150)
    engine = engine_for(runtime, probe_ctx)
    site.delay = 0.4
    clock.advance(10)
    await engine.run_once()
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert monitor.state == "degraded"
    assert (monitor.last_response_ms or 0) > 150
    events = await events_of(runtime, account)
    assert [e.type for e in events] == ["monitor.degraded"]
    assert "slower than its 150 ms threshold" in events[0].description


async def test_tcp_port_closing_takes_the_monitor_down(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, tcp_port: SwitchablePort
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(runtime, account, kind="tcp", target=tcp_port.target, confirmations=1)
    engine = engine_for(runtime, probe_ctx)
    clock.advance(10)
    await engine.run_once()
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"
    await tcp_port.close()
    clock.advance(60)
    await engine.run_once()
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert monitor.state == "down"
    assert "refused" in (monitor.last_error or "")


async def test_paused_monitors_are_not_checked(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    assert isinstance(runtime.clock, FrozenClock)
    await create(runtime, account, kind="http", target=site.url, paused=True)
    runtime.clock.advance(600)
    assert (await engine_for(runtime, probe_ctx).run_once()).written == 0
    assert site.hits == 0


async def test_a_dead_workers_lease_expires_and_another_takes_the_work(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    """Restart in the middle of work: worker A claims and dies before writing."""
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(runtime, account, kind="http", target=site.url, timeout=5)
    clock.advance(10)
    dead = engine_for(runtime, probe_ctx, owner="dead")
    from watchwire.engine.scheduler import claim_due

    claimed = await claim_due(runtime.db, "dead", clock.now(), 10)
    assert [r.sid for r in claimed] == [sid]
    finished = await dead.check(claimed[0])

    other = engine_for(runtime, probe_ctx, owner="b")
    clock.advance(30)
    assert (await other.run_once()).written == 0  # the lease still holds
    clock.advance(60)
    assert (await other.run_once()).written == 1  # expired: B runs it
    # The dead worker's late write is discarded: the check is not counted twice.
    late = await dead.record([finished])
    assert (late.written, late.discarded) == (0, 1)
    async with runtime.db.connect() as conn:
        count = (
            await conn.execute(sa.select(sa.func.count()).select_from(monitor_results))
        ).scalar_one()
        lease = (
            await conn.execute(sa.select(monitors.c.lease_owner).where(monitors.c.sid == sid))
        ).scalar_one()
    assert count == 1 and lease is None


async def test_graceful_stop_finishes_running_checks_and_releases_the_rest(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    site.delay = 0.5
    for _ in range(3):
        await create(runtime, account, kind="http", target=site.url, allow_duplicate=True)
    async with runtime.db.transaction() as conn:
        await conn.execute(monitors.update().values(next_run_at=SystemClock().now()))
    engine = Engine(runtime.db, probe_ctx, SystemClock(), EngineConfig(concurrency=10, grace=10))
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    await asyncio.wait_for(site.wait_for_hits(3), 30)
    stop.set()  # what SIGTERM does
    await asyncio.wait_for(task, 30)
    assert engine.checks_run == 3
    async with runtime.db.connect() as conn:
        leased = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(monitors)
                .where(monitors.c.lease_owner.is_not(None))
            )
        ).scalar_one()
    assert leased == 0

    # With no grace, the unfinished checks are released for another worker at once.
    site.delay = 1.5
    async with runtime.db.transaction() as conn:
        await conn.execute(monitors.update().values(next_run_at=SystemClock().now()))
    impatient = Engine(runtime.db, probe_ctx, SystemClock(), EngineConfig(grace=0.1))
    stop = asyncio.Event()
    task = asyncio.create_task(impatient.run(stop))
    await asyncio.wait_for(site.wait_for_hits(6), 30)
    stop.set()
    await asyncio.wait_for(task, 30)
    assert impatient.checks_run == 0
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(monitors.c.lease_owner, monitors.c.next_run_at))).all()
    assert all(r.lease_owner is None for r in rows)


async def test_dns_monitor_goes_down_when_the_expected_answer_is_missing(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    knot_factory: Callable[..., KnotServer],
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    knot = knot_factory([Zone("engine.test.", "www A 192.0.2.10\nold A 192.0.2.99\n")])
    options = {"type": "A", "server": knot.server}
    good = await create(
        runtime,
        account,
        kind="dns",
        target="www.engine.test",
        options=options,
        expect=["192.0.2.10"],
        confirmations=1,
    )
    moved = await create(
        runtime,
        account,
        kind="dns",
        target="old.engine.test",
        options=options,
        expect=["192.0.2.10"],
        confirmations=1,
    )
    engine = engine_for(runtime, probe_ctx)
    clock.advance(10)
    await engine.run_once()
    assert (await runtime.monitors.get(account.account_sid, good)).state == "up"
    missing = await runtime.monitors.get(account.account_sid, moved)
    assert missing.state == "down"
    assert missing.last_error == "expected answer missing: 192.0.2.10"
