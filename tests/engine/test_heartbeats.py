"""Heartbeat monitors end to end, on SQLite and PostgreSQL, with a frozen clock: pings over
HTTP to the public ping URL, the engine's verdict (missed, failed, recovered), and the
common states, events, downtimes, results and webhook deliveries that follow."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.delivery.helpers import subscribe, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import downtimes

__all__ = ["webhook_receiver"]

PERIOD, GRACE = 60, 30


def _clock(runtime: Runtime) -> FrozenClock:
    assert isinstance(runtime.clock, FrozenClock)
    return runtime.clock


def _engine(runtime: Runtime, probe_ctx: ProbeContext, owner: str = "w") -> Engine:
    return Engine(runtime.db, probe_ctx, runtime.clock, EngineConfig(concurrency=8), owner=owner)


async def _heartbeat(
    client: httpx.AsyncClient, auth: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {"kind": "heartbeat", "name": "nightly backup", "interval": PERIOD}
    body.update(options={"grace": GRACE}, **fields)
    answer = await client.post("/v1/monitors", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def _ping(client: httpx.AsyncClient, url: str, suffix: str = "", **kw: Any) -> str:
    method = "POST" if "content" in kw else "GET"
    answer = await client.request(method, url + suffix, **kw)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    ok, _, ping_id = answer.text.partition(": ")
    assert ok == "OK" and len(ping_id) == 36
    return ping_id


async def _monitor(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get(f"/v1/monitors/{sid}", headers=auth)).json()["data"]
    return data


async def test_down_when_pings_stop_and_up_when_they_resume(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    webhook_receiver: Receiver,
) -> None:
    clock = _clock(runtime)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hook"))
    created = await _heartbeat(client, auth)
    sid, url = created["sid"], created["ping_url"]
    assert url.startswith("http://watchwire.test/pulse/") and len(url.rsplit("/", 1)[1]) >= 32
    assert (created["target"], created["state"]) == (sid, "pending")
    assert (created["confirmations"], created["recoveries"]) == (1, 1)
    engine = _engine(runtime, probe_ctx)

    # Before the first deadline and without a ping there is nothing to judge.
    clock.advance(PERIOD)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "pending"

    await _ping(client, url)
    await engine.run_once()
    monitor = await _monitor(client, auth, sid)
    assert monitor["state"] == "up" and monitor["last_ping_at"] is not None

    # On time (within period + grace): still up; then silence past the deadline.
    clock.advance(PERIOD + GRACE - 1)
    await _ping(client, url)
    await engine.run_once()
    clock.advance(PERIOD + GRACE - 1)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "up"
    clock.advance(1)
    await engine.run_once()
    monitor = await _monitor(client, auth, sid)
    assert monitor["state"] == "down"
    assert "no ping within 60 s + 30 s grace" in monitor["last_error"]

    # Still silent a period later: still down, no second event.
    clock.advance(PERIOD)
    await engine.run_once()
    clock.advance(15)
    await _ping(client, url)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "up"

    events = (await runtime.events.list(account.account_sid, PageRequest(per_page=10))).items
    assert [e.type for e in reversed(events)] == ["monitor.down", "monitor.up"]
    down = events[1]
    assert down.resource_sid == sid and "nightly backup" in down.description
    assert down.payload["result"]["ping"] == "missed"
    async with runtime.db.connect() as conn:
        outage = (await conn.execute(sa.select(downtimes))).one()
    assert outage.ended_at is not None
    assert (outage.ended_at - outage.started_at).total_seconds() == PERIOD + 15

    results = await runtime.monitors.results(account.account_sid, sid, PageRequest())
    assert [r.outcome for r in reversed(results.items)] == ["up", "up", "down", "down", "up"]
    metrics = await runtime.monitors.metrics(account.account_sid, sid, since="-1h")
    assert metrics.whole.figures["checks"] == 5

    # The events went out like any monitor's: through the outbox to the webhook.
    sender = worker(runtime)
    await sender.run_once()
    await sender.sender.close()
    assert len(webhook_receiver.requests("/hook")) == 2


async def test_a_fail_ping_is_down_at_once_and_start_measures_the_run_time(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
) -> None:
    clock = _clock(runtime)
    created = await _heartbeat(client, auth, degraded_ms=20_000)
    sid, url = created["sid"], created["ping_url"]
    engine = _engine(runtime, probe_ctx)
    await _ping(client, url)
    await engine.run_once()

    clock.advance(5)
    await _ping(client, url, "/fail", content=b"disk full")
    await engine.run_once()
    monitor = await _monitor(client, auth, sid)
    assert monitor["state"] == "down" and "reported failure" in monitor["last_error"]

    clock.advance(10)
    await _ping(client, url, "/start")
    await engine.run_once()  # a start alone judges nothing
    assert (await _monitor(client, auth, sid))["state"] == "down"
    clock.advance(12.5)
    await _ping(client, url)
    await engine.run_once()
    monitor = await _monitor(client, auth, sid)
    assert monitor["state"] == "up" and monitor["last_response_ms"] == 12_500

    # A run slower than degraded_ms: degraded, like a slow site.
    clock.advance(1)
    await _ping(client, url, "/start")
    clock.advance(25)
    await _ping(client, url)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "degraded"

    [last, *_] = (await client.get(f"/v1/monitors/{sid}/results", headers=auth)).json()["data"]
    assert last["response_ms"] == 25_000 and last["details"]["run_ms"] == 25_000
    pings = (await client.get(f"/v1/monitors/{sid}/pings", headers=auth)).json()["data"]
    assert [p["kind"] for p in pings] == ["success", "start", "success", "start", "fail", "success"]
    assert pings[0]["duration_ms"] == 25_000 and pings[1]["duration_ms"] is None
    assert pings[4]["body"] == "disk full" and pings[4]["method"] == "POST"


async def test_two_workers_call_a_missed_ping_once(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
) -> None:
    clock = _clock(runtime)
    created = await _heartbeat(client, auth)
    first, second = _engine(runtime, probe_ctx, "a"), _engine(runtime, probe_ctx, "b")
    await _ping(client, created["ping_url"])
    clock.advance(PERIOD + GRACE)
    outcomes = [await first.run_once(), await second.run_once()]
    assert sorted(o.written for o in outcomes) == [0, 1]
    events = (await runtime.events.list(account.account_sid, PageRequest())).items
    assert [e.type for e in events] == ["monitor.down"]


async def test_a_paused_heartbeat_waits_a_whole_period_after_resuming(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
) -> None:
    clock = _clock(runtime)
    created = await _heartbeat(client, auth)
    sid = created["sid"]
    engine = _engine(runtime, probe_ctx)
    assert (await client.post(f"/v1/monitors/{sid}/pause", headers=auth)).status_code == 200
    clock.advance(10 * PERIOD)
    await _ping(client, created["ping_url"])  # kept, but judged by no one while paused
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "pending"
    clock.advance(5)
    resumed = (await client.post(f"/v1/monitors/{sid}/resume", headers=auth)).json()["data"]
    assert resumed["next_run_at"] is not None
    clock.advance(PERIOD + GRACE - 1)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "pending"
    clock.advance(1)
    await engine.run_once()
    assert (await _monitor(client, auth, sid))["state"] == "down"

    # A longer period moves the deadline of the wait under way.
    changed = await client.patch(
        f"/v1/monitors/{sid}", json={"interval": 600, "options": {"grace": 0}}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["options"] == {"grace": 0}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"confirmations": 3}, "confirmations"),
        ({"recoveries": 2}, "recoveries"),
        ({"options": {"grace": -1}}, "options.grace"),
        ({"options": {"timeout": 5}}, "options.timeout"),
        ({"expect": ["x"]}, "expect"),
        ({"interval": 10}, "interval"),
    ],
)
async def test_bad_heartbeat_fields_name_the_field(
    client: httpx.AsyncClient, auth: dict[str, str], fields: dict[str, Any], field: str
) -> None:
    body = {"kind": "heartbeat", **fields}
    answer = await client.post("/v1/monitors", json=body, headers=auth)
    assert answer.status_code == 400, answer.text
    assert field in [d["field"] for d in answer.json()["error"]["details"]]
