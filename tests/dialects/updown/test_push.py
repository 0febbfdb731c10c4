"""The Push API: a webhook added through `/api/recipients` gets what updown sends for a real
down/up cycle of a local site — arrays of events, `User-Agent: updown.io webhooks`, the
`downtime` object and updown's descriptions. (Certificate renewals and Apdex drops in
updown's shape: tests/engine/test_monitor_certificates.py, test_apdex_drop.py.)

Storage is covered by the other modules on both databases; this one runs on SQLite."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.delivery.helpers import worker
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from tests.storage import open_database
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.store.database import Database

__all__ = ["site", "webhook_receiver"]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async for db in open_database("sqlite", tmp_path):
        yield db


async def test_a_down_up_cycle_reaches_an_updown_webhook(
    runtime: Runtime,
    updown: httpx.AsyncClient,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    hook = await updown.post(
        "/api/recipients", data={"type": "webhook", "value": webhook_receiver.url()}
    )
    assert hook.status_code == 201, hook.text
    token = (await updown.post("/api/checks", data={"url": site.url})).json()["token"]
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2))
    clock.advance(10)
    for status in (200, 500, 500, 500, 200):  # one check a minute
        site.status = status
        await engine.run_once()
        clock.advance(60)
    await worker(runtime).run_once()

    items: list[dict[str, Any]] = []
    for received in webhook_receiver.requests():
        assert received.headers["User-Agent"] == "updown.io webhooks"
        body = json.loads(received.body)
        assert isinstance(body, list)
        items.extend(body)
    by_event = {item["event"]: item for item in items}
    down, up = by_event["check.down"], by_event["check.up"]
    assert down["check"]["token"] == token == up["check"]["token"]
    assert down["downtime"]["ended_at"] is None and down["downtime"]["duration"] is None
    assert down["description"] == (
        f"DOWN: {site.url} since {down['downtime']['started_at'][11:19]} (UTC), "
        f"reason: {down['downtime']['error']}"
    )
    assert "500" in down["downtime"]["error"]
    assert up["downtime"]["started_at"] == down["downtime"]["started_at"]
    assert up["downtime"]["duration"] == 180
    assert up["description"].startswith(f"UP: {site.url} after being down for 3 minutes")
