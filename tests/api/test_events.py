"""`/v1/events`: the account's events, newest first, filtered by type, monitor and time."""

from __future__ import annotations

import httpx

from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime

__all__ = ["site"]


async def test_events_are_listed_and_filtered(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    site: SwitchableSite,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    body = {
        "kind": "http",
        "target": site.url,
        "confirmations": 1,
        "name": "flaky",
        "allow_duplicate": True,
    }
    first = (await client.post("/v1/monitors", json=body, headers=auth)).json()["data"]["sid"]
    other = (await client.post("/v1/monitors", json=body, headers=auth)).json()["data"]["sid"]
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=4))
    clock.advance(10)
    for status in (200, 500, 200):
        site.status = status
        await engine.run_once()
        clock.advance(3600)

    everything = (await client.get("/v1/events", headers=auth)).json()
    assert everything["meta"]["pagination"]["total"] == 4
    assert [e["type"] for e in everything["data"]] == ["monitor.up"] * 2 + ["monitor.down"] * 2
    assert all(e["sid"].startswith("TA") for e in everything["data"])
    assert "flaky" in everything["data"][0]["description"]

    downs = (await client.get("/v1/events?type=monitor.down", headers=auth)).json()["data"]
    assert {e["resource_sid"] for e in downs} == {first, other}
    mine = (await client.get(f"/v1/events?monitor={first}", headers=auth)).json()["data"]
    assert [e["type"] for e in mine] == ["monitor.up", "monitor.down"]
    recent = (await client.get("/v1/events?from=-90m", headers=auth)).json()["data"]
    assert [e["type"] for e in recent] == ["monitor.up"] * 2
    older = (await client.get("/v1/events?to=-90m", headers=auth)).json()["data"]
    assert [e["type"] for e in older] == ["monitor.down"] * 2

    unknown = await client.get("/v1/events?type=monitor.exploded", headers=auth)
    assert unknown.status_code == 400

    intruder = await runtime.accounts.create_account("intruder")
    theirs = await client.get("/v1/events", headers={"X-API-Key": intruder.key})
    assert theirs.json()["data"] == []
