"""Never lost: a worker process killed with SIGKILL in the middle of a burst, then restarted,
delivers every event at least once (on SQLite shared between processes, as `serve` runs)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.delivery.helpers import emit, rows, subscribe
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.migrate import upgrade

__all__ = ["webhook_receiver"]

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 150


@pytest.fixture
async def shared_runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db = Database(url)
    await upgrade(db)
    settings = Settings(database_url=url, secret_key="crash-test", allow_private_targets=True)
    runtime = Runtime.build(settings, db=db)
    try:
        yield runtime
    finally:
        await db.close()


async def start_worker(url: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.delivery.worker_process",
        url,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert (await asyncio.wait_for(process.stdout.readline(), 60)).strip() == b"ready"
    return process


async def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_killed_worker_mid_burst_loses_nothing(
    shared_runtime: Runtime, webhook_receiver: Receiver
) -> None:
    runtime = shared_runtime
    account = await runtime.accounts.create_account("crash")
    webhook_receiver.behave("/slow", delay=0.05)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/slow"))
    sent = {(await emit(runtime, account.account_sid)).sid for _ in range(EVENTS)}

    first = await start_worker(runtime.db.url)

    async def some_arrived() -> bool:
        return len(webhook_receiver.requests()) >= 20

    await wait_for(some_arrived, 60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    open_rows = [r for r in await rows(runtime) if r.status != "delivered"]
    assert open_rows, "the burst was over before the kill: the test proves nothing"
    assert any(r.lease_owner for r in open_rows)  # killed holding leases, mid-request

    second = await start_worker(runtime.db.url)
    try:

        async def all_delivered() -> bool:
            return all(r.status == "delivered" for r in await rows(runtime))

        await wait_for(all_delivered, 90)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    received = {r.headers["webhook-id"] for r in webhook_receiver.requests()}
    assert sent <= received
