"""SIGTERM stops `watchwire serve` (SQLite) and `watchwire worker` (PostgreSQL) within a few
seconds while checks and deliveries are in flight against targets that hang, and leaves no
lease behind: what did not finish is given back for the next process to run at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.delivery.helpers import emit, subscribe
from tests.servers.watchwire_processes import (
    prepare,
    start_serve,
    start_worker,
    watchwire_env,
)
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_webhooks import deliveries

STOP_WITHIN = 5.0  # seconds from SIGTERM to exit, with work in flight
IN_FLIGHT = 3


class BlackHole:
    """An HTTP address that accepts connections, reads requests and never answers: checks
    and deliveries against it stay in flight until their process gives up on them."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            task = asyncio.current_task()
            assert task is not None
            self._handlers.add(task)
            try:
                while await reader.read(65536):
                    pass
            finally:
                writer.close()
                self._handlers.discard(task)

        self._server = await asyncio.start_server(swallow, "127.0.0.1", 0)

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}{path}"

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)


@pytest.fixture
async def site() -> AsyncIterator[BlackHole]:
    hole = BlackHole()
    await hole.start()
    yield hole
    await hole.close()


@pytest.fixture
async def receiver() -> AsyncIterator[BlackHole]:
    hole = BlackHole()
    await hole.start()
    yield hole
    await hole.close()


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value if isinstance(value, bool) else await value:
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def leases_held(db: Database) -> list[Any]:
    async with db.connect() as conn:
        held = []
        for table in (monitors, deliveries):
            query = sa.select(table.c.sid).where(table.c.lease_owner.is_not(None))
            held += list((await conn.execute(query)).scalars())
        return held


async def test_serve_stops_in_seconds_with_checks_and_deliveries_in_flight(
    tmp_path: Path, site: BlackHole, receiver: BlackHole
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = watchwire_env(url)
    headers = await prepare(url)
    serve = await start_serve(env, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=serve.base_url, headers=headers) as client:
            for n in range(IN_FLIGHT):
                body = {"kind": "http", "target": site.url(f"/{n}"), "timeout": 55, "paused": True}
                created = await client.post("/v1/monitors", json=body)
                await client.post(f"/v1/monitors/{created.json()['data']['sid']}/resume")  # due now
            hook = await client.post("/v1/webhooks", json={"url": receiver.url("/slow")})
            hook_sid = hook.json()["data"]["sid"]
            for _ in range(IN_FLIGHT):
                sent = await client.post(f"/v1/webhooks/{hook_sid}/test")
                assert sent.status_code == 202
        await wait_until(lambda: site.connections >= IN_FLIGHT, 30)
        await wait_until(lambda: receiver.connections >= IN_FLIGHT, 30)
        code, seconds = await serve.stop()
    finally:
        serve.ensure_stopped()
    assert code == 0, serve.log_text()
    assert seconds <= STOP_WITHIN, f"took {seconds:.1f} s to stop"
    db = Database(url)
    try:
        assert await leases_held(db) == []
    finally:
        await db.close()


async def test_worker_stops_in_seconds_with_checks_and_deliveries_in_flight(
    tmp_path: Path, postgres_runtime: Runtime, site: BlackHole, receiver: BlackHole
) -> None:
    runtime = postgres_runtime
    account = await runtime.accounts.create_account("ops", plan="unlimited")
    for n in range(IN_FLIGHT):
        body = {"kind": "http", "target": site.url(f"/{n}"), "timeout": 55, "paused": True}
        monitor = await runtime.monitors.create(account.account_sid, body, min_interval=30)
        await runtime.monitors.set_paused(account.account_sid, monitor.sid, False)  # due now
    await subscribe(runtime, account.account_sid, receiver.url("/slow"))
    for _ in range(IN_FLIGHT):
        await emit(runtime, account.account_sid)
    worker = await start_worker(watchwire_env(runtime.db.url), tmp_path)
    try:
        await wait_until(lambda: site.connections >= IN_FLIGHT, 30)
        await wait_until(lambda: receiver.connections >= IN_FLIGHT, 30)
        code, seconds = await worker.stop()
    finally:
        worker.ensure_stopped()
    assert code == 0, worker.log_text()
    assert seconds <= STOP_WITHIN, f"took {seconds:.1f} s to stop"
    assert await leases_held(runtime.db) == []
