"""The dashboard's list of monitors: filters, counts, paging and the last 24 hours from the
hourly rollups written by the engine checking a local site, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.engine.test_runner import engine_for
from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.errors import ValidationError
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.monitor_overview import MonitorQuery

__all__ = ["site"]


async def test_overview_of_an_account(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    clock: FrozenClock,
) -> None:
    owner = account.account_sid
    make = runtime.monitors.create
    shop = await make(
        owner,
        {"kind": "http", "target": site.url, "name": "Shop", "confirmations": 1, "tags": ["eu"]},
        min_interval=15,
    )
    await make(owner, {"kind": "heartbeat", "name": "Backup", "interval": 86400}, min_interval=15)
    paused = await make(
        owner, {"kind": "tcp", "target": "127.0.0.1:9", "name": "Mail"}, min_interval=15
    )
    await runtime.monitors.set_paused(owner, paused.sid, True)
    other = await runtime.accounts.create_account("other")
    await make(other.account_sid, {"kind": "tcp", "target": "127.0.0.1:9"}, min_interval=15)
    engine = engine_for(runtime, probe_ctx)
    for hour in range(3):
        site.status = 503 if hour == 1 else 200
        clock.advance(3600)
        await engine.run_once()

    overview = await runtime.overview.overview(owner, MonitorQuery(), PageRequest(1, 50))
    assert [line.monitor.name for line in overview.lines.items] == ["Backup", "Mail", "Shop"]
    assert overview.counts == {"up": 1, "down": 0, "degraded": 0, "pending": 1, "paused": 1}
    assert overview.tags == ("eu",)
    line = overview.lines.items[2]
    assert line.monitor.sid == shop.sid
    # One check an hour: the down hour counts wholly down, and has no response time.
    assert [h.uptime for h in line.hours] == [100.0, 0.0, 100.0]
    assert [h.mean_ms is None for h in line.hours] == [False, True, False]
    assert line.uptime_24h == pytest.approx(200 / 3)
    assert line.hours[0].hour == overview.since + timedelta(hours=21)

    async def names(**query: str) -> list[str]:
        found = await runtime.overview.overview(owner, MonitorQuery(**query), PageRequest(1, 50))
        return [line.monitor.name for line in found.lines.items]

    assert await names(kind="http") == ["Shop"]
    assert await names(state="paused") == ["Mail"]
    assert await names(state="pending") == ["Backup"]
    assert await names(tag="eu") == ["Shop"]
    assert await names(search="127.0.0.1:9") == ["Mail"]
    second = await runtime.overview.overview(owner, MonitorQuery(), PageRequest(2, 2))
    assert [line.monitor.name for line in second.lines.items] == ["Shop"]
    assert second.lines.total == 3
    for bad in ({"kind": "gopher"}, {"state": "sleepy"}, {"search": "x" * 201}):
        with pytest.raises(ValidationError):
            MonitorQuery(**bad)
