"""SIGKILL in the middle of a burst, then a restart: `watchwire serve` on SQLite while its API
accepts test events, and each of two `watchwire worker` processes on PostgreSQL while they
deliver (the two scenarios run side by side, each with its own receiver). Every accepted event reaches a real receiver; an event sent twice (its attempt cut
off by the kill, tried again once the lease expired) carries the same `webhook-id` and body,
so the receiver can drop the copy. The counts are checked, not just printed.

(tests/delivery/test_crash.py kills a bare delivery loop on SQLite; these kill the real
commands, with the API in the same process.)"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from tests.delivery.helpers import emit, subscribe
from tests.servers.watchwire_processes import (
    WatchwireProcess,
    prepare,
    start_serve,
    start_worker,
    watchwire_env,
)
from tests.servers.webhook_receiver import Receiver, start_receiver, webhook_receiver
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.tables_webhooks import deliveries

__all__ = ["webhook_receiver"]

# A lease is twice the attempt timeout + 30 s: a killed process's deliveries come due again
# after about 32 s.
FAST = {"delivery_timeout_seconds": "1"}
RECOVERY = 90.0


async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def delivery_rows(db: Database) -> list[Any]:
    async with db.connect() as conn:
        return list((await conn.execute(sa.select(deliveries))).all())


def check_received(receiver: Receiver, accepted: set[str], leased_at_kill: int) -> None:
    """Every accepted event arrived; copies share the id and body; no more copies than
    deliveries the killed processes held."""
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for request in receiver.requests():
        bodies[request.headers["webhook-id"]].add(request.body)
    assert accepted <= set(bodies)
    assert all(len(sent) == 1 for sent in bodies.values())  # a copy is the same message
    copies = Counter(r.headers["webhook-id"] for r in receiver.requests())
    twice = sum(n - 1 for n in copies.values())
    assert twice <= leased_at_kill, (twice, leased_at_kill)


async def serve_killed_mid_burst(tmp_path: Path, webhook_receiver: Receiver) -> None:
    """`serve` on SQLite, SIGKILLed while its API accepts test events, then started again."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = watchwire_env(url, **FAST)
    headers = await prepare(url)
    webhook_receiver.behave("/hook", delay=0.2)
    accepted: set[str] = set()
    first = await start_serve(env, tmp_path, name="first")
    second: WatchwireProcess | None = None
    db = Database(url)
    try:
        async with httpx.AsyncClient(base_url=first.base_url, headers=headers) as client:
            hook = await client.post("/v1/webhooks", json={"url": webhook_receiver.url("/hook")})
            path = f"/v1/webhooks/{hook.json()['data']['sid']}/test"

            async def send() -> None:
                while True:
                    with contextlib.suppress(httpx.TransportError):  # the kill, mid-request
                        answer = await client.post(path)
                        if answer.status_code == 202:
                            accepted.add(answer.json()["data"]["event"]["sid"])

            senders = [asyncio.create_task(send()) for _ in range(4)]

            async def in_full_swing() -> bool:
                return len(webhook_receiver.requests()) >= 20 and len(accepted) >= 60

            try:
                await wait_until(in_full_swing, 60)
                await first.kill()
            finally:
                for task in senders:
                    task.cancel()
                await asyncio.gather(*senders, return_exceptions=True)
        rows = await delivery_rows(db)
        leased = [r for r in rows if r.status != "delivered" and r.lease_owner]
        assert leased, "the burst was over before the kill: the test proves nothing"

        second = await start_serve(env, tmp_path, name="second")

        async def all_delivered() -> bool:
            return all(r.status == "delivered" for r in await delivery_rows(db))

        await wait_until(all_delivered, RECOVERY)
    finally:
        first.ensure_stopped()
        if second is not None:
            await second.stop()
        await db.close()
    check_received(webhook_receiver, accepted, len(leased))


async def workers_killed_mid_burst(
    tmp_path: Path, runtime: Runtime, webhook_receiver: Receiver
) -> None:
    """Two workers on PostgreSQL, each SIGKILLed while holding deliveries; one replaces them."""
    account = await runtime.accounts.create_account("ops", plan="unlimited")
    webhook_receiver.behave("/hook", delay=0.2)
    await subscribe(runtime, account.account_sid, webhook_receiver.url("/hook"))
    accepted = {(await emit(runtime, account.account_sid)).sid for _ in range(300)}
    env = watchwire_env(runtime.db.url, **FAST)
    a, b = await asyncio.gather(
        start_worker(env, tmp_path, name="a"), start_worker(env, tmp_path, name="b")
    )
    replacement: WatchwireProcess | None = None
    try:

        def holding(process: WatchwireProcess) -> Callable[[], Awaitable[bool]]:
            async def some() -> bool:
                owners = {r.lease_owner for r in await delivery_rows(runtime.db)}
                return any(o and o.startswith(f"{process.popen.pid}-") for o in owners)

            return some

        # Each is killed while it holds deliveries, some of them mid-request.
        await wait_until(holding(a), 60)
        await a.kill()
        await wait_until(holding(b), 60)
        await b.kill()
        rows = await delivery_rows(runtime.db)
        leased = [r for r in rows if r.status != "delivered" and r.lease_owner]
        assert {r.lease_owner.split("-")[0] for r in leased} == {
            str(a.popen.pid),
            str(b.popen.pid),
        }
        replacement = await start_worker(env, tmp_path, name="replacement")

        async def all_delivered() -> bool:
            return all(r.status == "delivered" for r in await delivery_rows(runtime.db))

        await wait_until(all_delivered, RECOVERY)
    finally:
        for process in (a, b):
            process.ensure_stopped()
        if replacement is not None:
            await replacement.stop()
    check_received(webhook_receiver, accepted, len(leased))


async def test_killed_mid_burst_then_restarted_loses_nothing(
    tmp_path: Path, postgres_runtime: Runtime, webhook_receiver: Receiver
) -> None:
    # Both wait out the killed processes' leases (about 32 s): side by side, that is paid once.
    serve_dir, workers_dir = tmp_path / "serve", tmp_path / "workers"
    serve_dir.mkdir()
    workers_dir.mkdir()
    receiver, runner = await start_receiver()
    try:
        await asyncio.gather(
            serve_killed_mid_burst(serve_dir, receiver),
            workers_killed_mid_burst(workers_dir, postgres_runtime, webhook_receiver),
        )
    finally:
        await runner.cleanup()
