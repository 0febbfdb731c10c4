"""PostgreSQL restarted under load: the API, the uptime engine and the delivery worker of one
process run against a cluster the test owns, which is stopped for a few seconds and started
again. Nobody restarts watchwire: the API answers 503 in its envelope while the database is
gone and 2xx again after; every event the API accepted is delivered; every monitor is checked
again right after the restart, with no check's result lost."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import client_for
from tests.servers.database_servers import PostgresCluster, postgres_cluster
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.app import create_app
from watchwire.background import run_background
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.tables_engine import monitor_results, monitors
from watchwire.store.tables_webhooks import deliveries

__all__ = ["postgres_cluster", "site", "webhook_receiver"]

MONITORS = 10
INTERVAL = 2  # seconds: below the API's minimum, set in the table for speed
OUTAGE = 4.0  # seconds the database is down


@pytest.fixture
async def runtime(postgres_cluster: PostgresCluster) -> AsyncIterator[Runtime]:
    settings = Settings(
        database_url=postgres_cluster.url,
        secret_key="restart-test",
        allow_private_targets=True,
        delivery_timeout_seconds=2,
    )
    runtime = Runtime.build(settings)
    await runtime.migrate()
    try:
        yield runtime
    finally:
        await runtime.close()


class Traffic:
    """Test events sent through the API without pause: what was accepted, what was refused."""

    def __init__(self, client: httpx.AsyncClient, hook: str) -> None:
        self.client = client
        self.hook = hook
        self.accepted: set[str] = set()
        self.refused: list[httpx.Response] = []

    async def run(self) -> None:
        while True:
            answer = await self.client.post(f"/v1/webhooks/{self.hook}/test")
            if answer.status_code == 202:
                self.accepted.add(answer.json()["data"]["event"]["sid"])
            else:
                self.refused.append(answer)
            await asyncio.sleep(0.02)


async def results_by_monitor(runtime: Runtime) -> dict[str, list[datetime]]:
    async with runtime.db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(monitor_results.c.monitor_sid, monitor_results.c.checked_at)
            )
        ).all()
    found: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        found[row.monitor_sid].append(row.checked_at)
    return found


async def delivered(runtime: Runtime) -> set[str]:
    async with runtime.db.connect() as conn:
        rows = await conn.execute(
            sa.select(deliveries.c.event_sid).where(deliveries.c.status == "delivered")
        )
        return set(rows.scalars())


async def test_everything_recovers_unattended_after_a_postgres_restart(
    runtime: Runtime,
    postgres_cluster: PostgresCluster,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    account = await runtime.accounts.create_account("ops", plan="unlimited")
    client = client_for(create_app(runtime))
    client.headers["X-API-Key"] = account.key
    for _ in range(MONITORS):
        created = await client.post(
            "/v1/monitors", json={"kind": "http", "target": site.url, "allow_duplicate": True}
        )
        assert created.status_code == 201, created.text
    async with runtime.db.transaction() as conn:
        await conn.execute(
            monitors.update().values(
                interval_seconds=INTERVAL, timeout_seconds=1.8, next_run_at=runtime.clock.now()
            )
        )
    hook = await client.post("/v1/webhooks", json={"url": webhook_receiver.url("/hook")})
    traffic = Traffic(client, hook.json()["data"]["sid"])
    site.delay = 1.0  # long enough for checks in flight when the database goes

    stop = asyncio.Event()
    background = asyncio.create_task(
        run_background(runtime, concurrency=50, location="local", stop=stop)
    )
    sending = asyncio.create_task(traffic.run())
    try:
        await asyncio.sleep(2 * INTERVAL)
        # Stop it while a round of checks is in flight: their results come in during the outage.
        await asyncio.wait_for(site.wait_for_hits(site.hits + MONITORS), 10)
        await asyncio.to_thread(postgres_cluster.stop)
        down_at = time.monotonic()
        await asyncio.sleep(OUTAGE)
        during = await client.get("/v1/account")
        await asyncio.to_thread(postgres_cluster.start)
        up_at = time.monotonic()
        restarted = runtime.clock.now()
        await asyncio.sleep(3 * INTERVAL)
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        deadline = time.monotonic() + 30
        while not traffic.accepted <= await delivered(runtime):
            assert time.monotonic() < deadline, "accepted events not delivered"
            await asyncio.sleep(0.2)
        after = await client.get("/v1/account")
    finally:
        sending.cancel()
        stop.set()
        await asyncio.wait_for(background, 30)
        await client.aclose()

    print(
        f"down {up_at - down_at:.1f} s; {len(traffic.accepted)} accepted, "
        f"{len(traffic.refused)} refused: {[r.status_code for r in traffic.refused][:5]}"
    )
    assert during.status_code == 503, during.text
    assert during.json()["error"]["code"] == "database_unavailable"
    assert after.status_code == 200
    assert {r.status_code for r in traffic.refused} <= {503}
    received = Counter(r.headers["webhook-id"] for r in webhook_receiver.requests())
    assert traffic.accepted <= set(received)
    # Outcomes that came in during the outage were written after it, not sent again.
    assert set(received.values()) == {1}
    results = await results_by_monitor(runtime)
    assert len(results) == MONITORS
    for times in results.values():
        times.sort()
        # Checked again soon after the restart, and the round in flight when the database
        # went was written once it came back (not dropped, its monitors leased for a minute).
        assert len([t for t in times if t > restarted]) >= 2, times
        longest = max((b - a).total_seconds() for a, b in itertools.pairwise(times))
        assert longest <= OUTAGE + 4 * INTERVAL + 5, times
