"""An agent against the central API on loopback: its checks recorded at its location,
results buffered through an outage and counted once, the agent API's refusals, and the
agent watch's `agent.timeout` / `agent.timeout.resolve` (SQLite and PostgreSQL). Agents in
network namespaces with cut links: test_netns.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.engine.test_runner import events_of
from tests.servers.api_server import api_server
from tests.servers.engine_targets import SwitchablePort, tcp_port
from tests.servers.plain_tls import free_port
from watchwire.agents.agent import AgentOptions, run_agent
from watchwire.agents.buffer import ResultBuffer
from watchwire.agents.client import AgentClient
from watchwire.agents.source import AgentSource
from watchwire.clock import FrozenClock
from watchwire.engine.agent_watch import check_agents
from watchwire.engine.kinds.base import CheckResult
from watchwire.engine.location_runs import LocationResult, Work
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import monitor_results

__all__ = ["api_server", "tcp_port"]


async def _fra(runtime: Runtime, account: CreatedKey, target: str) -> tuple[str, str]:
    await runtime.locations.ensure_own()
    _, token = await runtime.locations.create({"code": "fra", "name": "Frankfurt"})
    assert token is not None
    monitor = await runtime.monitors.create(
        account.account_sid,
        {"kind": "tcp", "target": target, "name": "db", "locations": ["fra"]},
        min_interval=15,
    )
    return token, monitor.sid


async def _results(runtime: Runtime) -> list[str]:
    async with runtime.db.connect() as conn:
        return list((await conn.execute(sa.select(monitor_results.c.location))).scalars())


async def test_an_agent_checks_from_its_location(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    tcp_port: SwitchablePort,
    api_server: tuple[str, int],
    tmp_path: Path,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    token, sid = await _fra(runtime, account, f"127.0.0.1:{tcp_port.port}")
    clock.advance(11)
    host, port = api_server
    options = AgentOptions(f"http://{host}:{port}", token, tmp_path / "buffer", heartbeat_seconds=1)
    stop = asyncio.Event()
    running = asyncio.create_task(run_agent(options, probe_ctx, stop, clock, expected="fra"))
    for _ in range(100):
        if await _results(runtime):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, 15)
    assert await _results(runtime) == ["fra"]
    assert (await runtime.monitors.get(account.account_sid, sid)).state == "up"
    seen = await runtime.locations.get("fra")
    assert seen.last_seen_at is not None
    assert list((tmp_path / "buffer").glob("*.json")) == []  # everything was sent


async def test_results_wait_through_an_outage_and_count_once(
    runtime: Runtime,
    account: CreatedKey,
    api_server: tuple[str, int],
    tmp_path: Path,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    token, sid = await _fra(runtime, account, "127.0.0.1:9")
    clock.advance(11)
    host, port = api_server
    live = AgentClient(f"http://{host}:{port}", token, "fra-1", "test")
    away = AgentClient(f"http://127.0.0.1:{free_port()}", token, "fra-1", "test")
    buffer = ResultBuffer(tmp_path / "buffer", max_results=100)
    source = AgentSource(live, buffer, clock)
    [work] = await source.claim(10)
    source.client = away
    clock.advance(60)
    assert [w.sid for w in await source.claim(10)] == [sid]  # from memory, still checked
    assert not source.online
    for offset in (0, 60):
        now = clock.now() + timedelta(seconds=offset)
        ok = CheckResult(True, 3.0, None)
        await source.submit([LocationResult(sid, work.due, now, now, ok)])
    assert not await source.send_pending()
    assert len(buffer.pending()) == 2
    # The central service is back; a restarted agent finds its batches on disk.
    source = AgentSource(live, ResultBuffer(tmp_path / "buffer", max_results=100), clock)
    [first, _] = source.buffer.pending()
    assert await source.send_pending()
    assert len(await _results(runtime)) == 2
    again = await live.push(first.batch_id, first.results)
    assert again == {"written": 0, "discarded": 0, "duplicate": True}
    assert len(await _results(runtime)) == 2
    await live.close()
    await away.close()


def test_the_buffer_is_bounded(tmp_path: Path) -> None:
    buffer = ResultBuffer(tmp_path, max_results=3)
    for n in range(4):
        buffer.add([{"n": n}, {"n": n}])
    assert [b.results[0]["n"] for b in buffer.pending()] == [3]
    assert (buffer.waiting, buffer.dropped) == (2, 6)


async def test_the_agent_api_refuses_what_it_must(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await runtime.locations.ensure_own()
    _, token = await runtime.locations.create({"code": "fra", "name": "fra"})
    body = {"instance": "a-1"}
    no_token = await client.post("/v1/agent/work", json=body)
    assert no_token.status_code == 401
    assert (await client.post("/v1/agent/work", json=body, headers=auth)).status_code == 401
    agent = {"Authorization": f"Bearer {token}"}
    bad = await client.post("/v1/agent/work", json={**body, "limit": 5000}, headers=agent)
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "limit"
    batch = {"instance": "a-1", "batch_id": "../x", "results": []}
    refused = await client.post("/v1/agent/results", json=batch, headers=agent)
    assert refused.status_code == 400
    empty = await client.post("/v1/agent/work", json=body, headers=agent)
    assert (empty.status_code, empty.json()["data"]) == (200, [])


async def test_a_silent_agent_times_out_and_resolves(runtime: Runtime, account: CreatedKey) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    await _fra(runtime, account, "127.0.0.1:9")
    await runtime.agents.heartbeat("fra", "fra-1", "1.0")
    assert await check_agents(runtime.db, clock.now()) == 0
    clock.advance(5 * 60 + 1)
    assert await check_agents(runtime.db, clock.now()) == 1
    assert await check_agents(runtime.db, clock.now()) == 0  # told once
    assert (await runtime.locations.get("fra")).timed_out
    clock.advance(1)
    await runtime.agents.heartbeat("fra", "fra-1", "1.0")
    assert await check_agents(runtime.db, clock.now()) == 1
    timeout, resolve = [e for e in await events_of(runtime, account) if e.type.startswith("agent")]
    assert (timeout.type, resolve.type) == ("agent.timeout", "agent.timeout.resolve")
    assert timeout.payload["timeout_minutes"] == 5
    assert timeout.payload["agent"]["code"] == "fra"
    assert [i["instance"] for i in timeout.payload["instances"]] == ["fra-1"]
    assert [i["instance"] for i in resolve.payload["instances"]] == ["fra-1"]


def test_work_travels_as_json() -> None:
    from datetime import UTC, datetime

    work = Work("MO1", "tcp", "h:1", {"a": 1}, 2.0, 60, ("x",), datetime(2026, 1, 1, tzinfo=UTC))
    assert Work.from_json(work.to_json()) == work
