"""A monitor's retry interval against a real local site: while it fails it is checked at
the retry interval (to confirm the outage and to see it end sooner), at its interval once
up; without one, a first failure is checked again at once and a down monitor at its
interval. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.engine.test_runner import create, engine_for
from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["site"]


async def test_a_failing_monitor_runs_at_its_retry_interval(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(
        runtime, account, kind="http", target=site.url, interval=300, retry_interval=20
    )
    engine = engine_for(runtime, probe_ctx)

    async def check() -> tuple[str, timedelta]:
        """Run what is due now; the state and how long until the next run."""
        await engine.run_once()
        monitor = await runtime.monitors.get(account.account_sid, sid)
        assert monitor.next_run_at is not None and monitor.last_checked_at is not None
        return monitor.state, monitor.next_run_at - monitor.last_checked_at

    clock.advance(10)
    state, wait = await check()
    # An interval after it was due (the first run is spread over a few seconds).
    assert state == "up" and timedelta(seconds=290) <= wait <= timedelta(seconds=300)
    site.status = 503
    clock.advance(300)
    assert await check() == ("up", timedelta(seconds=20))  # to confirm, sooner
    clock.advance(20)
    assert await check() == ("down", timedelta(seconds=20))  # down: watched closely
    clock.advance(20)
    assert await check() == ("down", timedelta(seconds=20))
    site.status = 200
    clock.advance(20)
    assert await check() == ("up", timedelta(seconds=300))  # back: the interval again


async def test_without_one_a_down_monitor_runs_at_its_interval(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await create(runtime, account, kind="http", target=site.url, interval=120)
    engine = engine_for(runtime, probe_ctx)
    site.status = 503
    clock.advance(10)
    await engine.run_once()
    first = await runtime.monitors.get(account.account_sid, sid)
    assert first.state == "pending" and first.next_run_at == first.last_checked_at  # at once
    clock.advance(1)
    await engine.run_once()
    down = await runtime.monitors.get(account.account_sid, sid)
    assert down.state == "down" and down.retry_interval is None
    assert down.next_run_at is not None and down.last_checked_at is not None
    assert down.next_run_at - down.last_checked_at >= timedelta(seconds=100)


async def test_the_api_takes_and_shows_it(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = {"kind": "tcp", "target": "127.0.0.1:9", "retry_interval": 15}
    created = await client.post("/v1/monitors", json=body, headers=auth)
    assert created.status_code == 201 and created.json()["data"]["retry_interval"] == 15
    sid = created.json()["data"]["sid"]
    for bad in (5, 0, "soon", 100_000):
        refused = await client.patch(
            f"/v1/monitors/{sid}", json={"retry_interval": bad}, headers=auth
        )
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["details"][0]["field"] == "retry_interval"
    cleared = await client.patch(f"/v1/monitors/{sid}", json={"retry_interval": None}, headers=auth)
    assert cleared.status_code == 200 and cleared.json()["data"]["retry_interval"] is None
