"""Monitors checked from several locations: each location's results, the quorum verdict,
partial and full downtimes with their locations, batches counted once (SQLite and
PostgreSQL). The agents themselves, over HTTP from network namespaces: tests/agents/."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.engine.test_runner import events_of
from tests.servers.engine_targets import SwitchablePort, tcp_port
from watchwire.clock import FrozenClock
from watchwire.engine import location_runs
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.location_engine import DatabaseSource, LocationEngine
from watchwire.engine.location_runs import LocationResult
from watchwire.engine.runner import Engine
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import downtimes, monitor_results
from watchwire.store.tables_locations import location_rollups

__all__ = ["tcp_port"]


async def _three_places(runtime: Runtime, account: CreatedKey) -> str:
    await runtime.locations.ensure_own()
    for code in ("fra", "syd"):
        await runtime.locations.create({"code": code, "name": code})
    monitor = await runtime.monitors.create(
        account.account_sid,
        {"kind": "tcp", "target": "127.0.0.1:9", "name": "shop", "confirmations": 1},
        min_interval=15,
    )
    return monitor.sid


async def _report(
    runtime: Runtime, sid: str, location: str, ok: bool, batch_id: str | None = None
) -> location_runs.Written:
    now = runtime.clock.now()
    result = CheckResult(ok, 12.0 if ok else None, None if ok else "connection refused")
    return await location_runs.record(
        runtime.db,
        location,
        f"agent:{location}",
        [LocationResult(sid, now - timedelta(seconds=1), now, now, result)],
        now=now,
        batch_id=batch_id,
    )


async def _downtimes(runtime: Runtime) -> list[tuple[bool, list[str] | None, bool]]:
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(downtimes).order_by(downtimes.c.id))).all()
    return [(row.partial, row.locations, row.ended_at is None) for row in rows]


async def test_one_location_failing_is_partial_a_majority_is_down(
    runtime: Runtime, account: CreatedKey
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await _three_places(runtime, account)
    for code in ("local", "fra", "syd"):
        clock.advance(1)
        await _report(runtime, sid, code, True)
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"

    clock.advance(20)
    await _report(runtime, sid, "fra", False)
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"
    assert await _downtimes(runtime) == [(True, ["fra"], True)]
    assert [e.type for e in await events_of(runtime, account)] == []

    clock.advance(1)
    await _report(runtime, sid, "syd", False)
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert monitor.state == "down"
    assert "fra: connection refused; syd: connection refused" in (monitor.last_error or "")
    assert await _downtimes(runtime) == [(True, ["fra"], False), (False, ["fra", "syd"], True)]
    assert [e.type for e in await events_of(runtime, account)] == ["monitor.down"]

    clock.advance(20)
    await _report(runtime, sid, "syd", True)  # 1 of 3 down: the outage is over, fra's is not
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"
    assert await _downtimes(runtime) == [
        (True, ["fra"], False),
        (False, ["fra", "syd"], False),
        (True, ["fra"], True),
    ]
    clock.advance(1)
    await _report(runtime, sid, "fra", True)
    assert [d[2] for d in await _downtimes(runtime)] == [False, False, False]
    assert [e.type for e in await events_of(runtime, account)] == ["monitor.down", "monitor.up"]

    async with runtime.db.connect() as conn:
        per_location = dict(
            (
                await conn.execute(sa.select(location_rollups.c.location, location_rollups.c.count))
            ).all()
        )
        placed = (
            await conn.execute(
                sa.select(monitor_results.c.location, sa.func.count()).group_by(
                    monitor_results.c.location
                )
            )
        ).all()
    assert per_location == {"local": 1, "fra": 3, "syd": 3}
    assert dict(placed) == per_location


async def test_a_silent_location_does_not_vote(runtime: Runtime, account: CreatedKey) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await _three_places(runtime, account)
    for code in ("local", "fra", "syd"):
        await _report(runtime, sid, code, True)
    clock.advance(600)  # fra and syd's agents went silent long ago
    await _report(runtime, sid, "local", False)
    # The only location that answers sees it down: a majority of one.
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "down"


async def test_a_batch_counts_once_and_old_results_not_at_all(
    runtime: Runtime, account: CreatedKey
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid = await _three_places(runtime, account)
    first = await _report(runtime, sid, "fra", True, batch_id="b1")
    again = await _report(runtime, sid, "fra", True, batch_id="b1")
    assert (first.written, again.written, again.duplicate) == (1, 0, True)
    clock.advance(-5)
    stale = await _report(runtime, sid, "fra", True, batch_id="b2")
    assert (stale.written, stale.discarded) == (0, 1)


async def test_the_servers_own_location_runs_placed_monitors(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, tcp_port: SwitchablePort
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    await runtime.locations.ensure_own()
    await runtime.locations.create({"code": "fra", "name": "fra"})
    monitor = await runtime.monitors.create(
        account.account_sid,
        {"kind": "tcp", "target": f"127.0.0.1:{tcp_port.port}", "name": "db"},
        min_interval=15,
    )
    clock.advance(11)
    # The monitor's own schedule is left alone: its locations' rows hold it now.
    assert (await Engine(runtime.db, probe_ctx, clock).run_once()).written == 0
    source = DatabaseSource(runtime.db, clock, "local", "me")
    assert await LocationEngine(source, probe_ctx, clock).run_once() == 1
    assert await LocationEngine(source, probe_ctx, clock).run_once() == 0  # rescheduled
    shown = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert shown.state == "up"
    async with runtime.db.connect() as conn:
        where = (await conn.execute(sa.select(monitor_results.c.location))).scalars().all()
    assert where == ["local"]
