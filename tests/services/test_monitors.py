"""MonitorService rules that the API tests do not reach directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.errors import NotFoundError, ValidationError
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import events
from watchwire.store.tables_engine import monitor_results, monitor_rollups

__all__ = ["site"]


async def test_changing_the_interval_reschedules_now_and_kind_is_fixed(
    runtime: Runtime, account: CreatedKey
) -> None:
    service = runtime.monitors
    sid = (
        await service.create(
            account.account_sid, {"kind": "tcp", "target": "127.0.0.1:1"}, min_interval=30
        )
    ).sid
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(5)
    changed = await service.update(account.account_sid, sid, {"interval": 300}, min_interval=30)
    assert changed.next_run_at == changed.updated_at
    with pytest.raises(ValidationError) as info:
        await service.update(account.account_sid, sid, {"kind": "http"}, min_interval=30)
    assert info.value.details[0]["field"] == "kind"


async def test_daily_metrics_ongoing_downtime_and_delete(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    service = runtime.monitors
    sid = (
        await service.create(
            account.account_sid,
            {"kind": "http", "target": site.url, "confirmations": 1, "interval": 3600},
            min_interval=30,
        )
    ).sid
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2))
    clock.advance(10)
    for _ in range(30):  # 30 hourly checks across two UTC days, then down
        await engine.run_once()
        clock.advance(3600)
    site.status = 500
    await engine.run_once()
    clock.advance(1800)

    metrics = await service.metrics(account.account_sid, sid, since="-3d", group="day")
    assert [g.figures["checks"] for g in metrics.groups] == [12, 19]
    assert metrics.groups[0].figures["uptime"] == 100.0
    assert metrics.groups[1].figures["down_seconds"] == 3600
    with pytest.raises(ValidationError):
        await service.metrics(account.account_sid, sid, since="-500d")

    outages = await service.downtimes(account.account_sid, sid, PageRequest())
    assert outages.total == 1
    assert outages.items[0].ongoing and outages.items[0].duration == 1800

    await service.delete(account.account_sid, sid)
    with pytest.raises(NotFoundError):
        await service.get(account.account_sid, sid)
    async with runtime.db.connect() as conn:
        for table in (monitor_results, monitor_rollups):
            count = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar()
            assert count == 0


async def test_the_events_of_a_monitor_without_groups_go_to_the_default_group(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    group = await runtime.contact_groups.create_group(
        account.account_sid, name="On call", is_default=True
    )
    raw = {"kind": "http", "target": site.url, "confirmations": 1}
    monitor = await runtime.monitors.create(account.account_sid, raw, min_interval=30)
    assert monitor.contact_groups == (group.sid,)
    site.status = 500
    clock.advance(10)
    await Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2)).run_once()
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(events.c.type, events.c.contact_groups))).all()
    assert [(row.type, row.contact_groups) for row in rows] == [("monitor.down", [group.sid])]


def test_time_range_defaults_and_order() -> None:
    from datetime import UTC, datetime

    from watchwire.services.monitors import time_range

    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert time_range(None, None, now, timedelta(days=1)) == (now - timedelta(days=1), now)
    with pytest.raises(ValidationError):
        time_range("now", "-1d", now, timedelta(days=1))
