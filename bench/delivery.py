"""Webhook delivery: deliveries per second and event-to-delivery latency.

Two scenarios, each against a local aiohttp receiver in its own process on 127.0.0.1:

  * sqlite:     one process, as `watchwire serve` runs: the producer and one delivery worker
                share the event loop and a SQLite file;
  * postgresql: two worker processes claiming from one PostgreSQL (a throwaway schema on
                WATCHWIRE_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test).

Each scenario measures
  1. throughput: `--events` events (one subscription each) are recorded first, then the
     workers drain the backlog: deliveries/s = events / drain time;
  2. latency: `--rate` events per second for `--latency-seconds` while the workers run idle;
     p50/p99 of delivered_at - created_at as the database records them.

Every event goes to one endpoint, and the workers run with the default settings that
`serve` and `worker` use (64 slots, 8 requests in flight per endpoint, the 0.25 s poll);
WATCHWIRE_DELIVERY_CONCURRENCY and WATCHWIRE_DELIVERY_PER_ENDPOINT_CONCURRENCY change them as
they would for the service. Bounded: every wait has a deadline. Prints one line per
scenario; the last line is the headline. Targets: >= 1,000 deliveries/s to the one endpoint
from one worker on SQLite, p99 <= 1 s at moderate load.

    .venv/bin/python bench/delivery.py --events 20000
    .venv/bin/python bench/delivery.py --events 2000 --backends sqlite   # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

import sqlalchemy as sa
import uvloop

from _harness import free_port
from watchwire.background import delivery_worker
from watchwire.config import Settings
from watchwire.delivery.worker import DeliveryWorker
from watchwire.events.store import record_event
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.migrate import upgrade
from watchwire.store.tables_webhooks import deliveries

POSTGRES_URL = os.environ.get(
    "WATCHWIRE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def receiver(port: int) -> None:
    from aiohttp import web

    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", ok)
    uvloop.install()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def settings(url: str) -> Settings:
    return Settings(
        database_url=url, secret_key="bench", allow_private_targets=True, bootstrap_account=False
    )


def make_worker(runtime: Runtime) -> DeliveryWorker:
    """The worker `serve` and `worker` build, with their settings."""
    return delivery_worker(runtime, concurrency=runtime.settings.delivery_concurrency)


async def produce(runtime: Runtime, account_sid: str, count: int, batch: int = 500) -> None:
    done = 0
    while done < count:
        async with runtime.db.transaction() as conn:
            for _ in range(min(batch, count - done)):
                await record_event(
                    conn,
                    account_sid=account_sid,
                    type="monitor.down",
                    description="bench is down",
                    payload={"monitor": {"sid": "MO" + "0" * 32, "name": "bench"}},
                    now=datetime.now(UTC),
                    resource_type="monitor",
                    resource_sid="MO" + "0" * 32,
                )
                done += 1


async def count_open(db: Database) -> int:
    async with db.connect() as conn:
        return int(
            (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.status != "delivered")
                )
            ).scalar_one()
        )


async def wait_drained(db: Database, deadline: float) -> None:
    while await count_open(db):
        if time.monotonic() > deadline:
            raise SystemExit("bench: deliveries did not drain in time")
        await asyncio.sleep(0.05)


async def latencies_ms(db: Database, since: datetime) -> list[float]:
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(deliveries.c.created_at, deliveries.c.delivered_at).where(
                    deliveries.c.created_at >= since
                )
            )
        ).all()
    values = []
    for created, delivered in rows:
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        delivered = delivered if delivered.tzinfo else delivered.replace(tzinfo=UTC)
        values.append((delivered - created).total_seconds() * 1000)
    return values


async def paced(runtime: Runtime, account_sid: str, rate: int, seconds: float) -> None:
    """`rate` events per second in ten slices a second, for `seconds`."""
    started = time.monotonic()
    slices = int(seconds * 10)
    for index in range(slices):
        await produce(runtime, account_sid, max(1, rate // 10), batch=rate)
        await asyncio.sleep(max(0.0, started + (index + 1) / 10 - time.monotonic()))


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def scenario(
    name: str, runtime: Runtime, url: str, args: argparse.Namespace, workers: int, spawn: bool
) -> str:
    account = await runtime.accounts.create_account("bench", plan="unlimited")
    plan = await runtime.accounts.plan("unlimited")
    await runtime.subscriptions.create(account.account_sid, plan, url=url)
    await produce(runtime, account.account_sid, args.events)

    stop = asyncio.Event()
    processes: list[asyncio.subprocess.Process] = []
    tasks: list[asyncio.Task[None]] = []
    began = time.monotonic()
    if spawn:
        for _ in range(workers):
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    __file__,
                    "--role",
                    "worker",
                    "--db",
                    runtime.db.url,
                    "--schema",
                    runtime.db.schema or "",
                )
            )
    else:
        tasks.append(asyncio.create_task(make_worker(runtime).run(stop)))
    try:
        await wait_drained(runtime.db, began + args.timeout)
        drained = time.monotonic() - began
        since = datetime.now(UTC)
        await paced(runtime, account.account_sid, args.rate, args.latency_seconds)
        await wait_drained(runtime.db, time.monotonic() + args.timeout)
        values = await latencies_ms(runtime.db, since)
    finally:
        stop.set()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)
        await asyncio.gather(*tasks)
    rate = args.events / drained
    return (
        f"{name}: {rate:,.0f} deliveries/s ({args.events:,} events in {drained:.1f} s); "
        f"latency at {args.rate}/s: p50 {percentile(values, 50):.0f} ms, "
        f"p99 {percentile(values, 99):.0f} ms"
    )


async def run_sqlite(args: argparse.Namespace, url: str) -> str:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-") as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        db = Database(db_url)
        await upgrade(db)
        runtime = Runtime.build(settings(db_url), db=db)
        try:
            return await scenario("sqlite, 1 process", runtime, url, args, 1, spawn=False)
        finally:
            await db.close()


async def run_postgres(args: argparse.Namespace, url: str, workers: int) -> str:
    schema = "bench_" + secrets.token_hex(4)
    db = Database(POSTGRES_URL, schema=schema)
    await upgrade(db)
    runtime = Runtime.build(settings(POSTGRES_URL), db=db)
    try:
        return await scenario(f"postgresql, {workers} workers", runtime, url, args, workers, True)
    finally:
        await db.close()
        admin = Database(POSTGRES_URL)
        async with admin.transaction() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.close()


async def worker_role(db_url: str, schema: str | None) -> None:
    db = Database(db_url, schema=schema or None)
    runtime = Runtime.build(settings(db_url), db=db)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await make_worker(runtime).run(stop)
    finally:
        await db.close()


async def main(args: argparse.Namespace) -> None:
    port = free_port()
    server = multiprocessing.Process(target=receiver, args=(port,), daemon=True)
    server.start()
    await asyncio.sleep(1.0)
    url = f"http://127.0.0.1:{port}/hook"
    lines = []
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                lines.append(await run_sqlite(args, url))
            else:
                lines.append(await run_postgres(args, url, args.workers))
            print(lines[-1], flush=True)
    finally:
        server.terminate()
        server.join(5)
    print(" | ".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=200, help="events/s in the latency phase")
    parser.add_argument("--latency-seconds", type=float, default=5.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2, help="worker processes on PostgreSQL")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on each drain")
    parser.add_argument("--role", default="bench", choices=["bench", "worker"])
    parser.add_argument("--db", default="")
    parser.add_argument("--schema", default="")
    arguments = parser.parse_args()
    uvloop.install()
    if arguments.role == "worker":
        asyncio.run(worker_role(arguments.db, arguments.schema))
    else:
        asyncio.run(main(arguments))
