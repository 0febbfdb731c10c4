"""15-second monitors (updown's smallest period) on the engine's clock: four checks a
minute, anchored to the schedule, beside a 60 s monitor that keeps its one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.engine.test_runner import engine_for
from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock, as_utc
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import monitor_results

__all__ = ["site"]


async def test_a_15_second_monitor_is_checked_4_times_a_minute(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    plan = (await runtime.accounts.get_account(account.account_sid)).plan
    fast = await runtime.monitors.create(
        account.account_sid,
        {"kind": "http", "target": site.url, "interval": 15, "timeout": 5},
        min_interval=plan.min_interval_seconds,
    )
    slow = await runtime.monitors.create(
        account.account_sid,
        {"kind": "http", "target": site.url + "?slow", "interval": 60},
        min_interval=plan.min_interval_seconds,
    )
    engine = engine_for(runtime, probe_ctx)
    start = clock.now()
    for _ in range(60):  # one engine pass a second, one minute of the engine's clock
        await engine.run_once()
        clock.advance(1)
    async with runtime.db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(monitor_results.c.monitor_sid, monitor_results.c.checked_at).order_by(
                    monitor_results.c.checked_at
                )
            )
        ).all()
    fast_times = [as_utc(r.checked_at) for r in rows if r.monitor_sid == fast.sid]
    # First due within 10 s of its creation (spread), then every 15 s exactly: the
    # schedule is anchored to the due time, not to when each check ended.
    first = fast_times[0]
    assert first - start <= timedelta(seconds=10)
    assert fast_times == [first + timedelta(seconds=s) for s in (0, 15, 30, 45)]
    assert sum(r.monitor_sid == slow.sid for r in rows) == 1
    assert site.hits == 5
