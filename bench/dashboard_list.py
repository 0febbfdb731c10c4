"""Server time of the dashboard's monitor list for an account of `--monitors` monitors
(5,000 by default), each with 24 hourly rollups, on SQLite, in process.

The monitors are made by the monitor service (paused: nothing is checked); their last 24
hours of rollups are written straight into the database, as the engine would have. A
signed-in client asks the app (over ASGI, no sockets: the figure is the server's time)
for three views, `--requests` times each, one after another:

- the list's first page (50 monitors with their sparklines, the counts over all of them),
- a search that scans every monitor's name and target,
- the live rows htmx polls (the same work without the layout).

    .venv/bin/python bench/dashboard_list.py [--monitors 5000] [--requests 40]

The last line is the p99 over all three, in ms (the issue's target: ≤ 300 ms); the line
before it gives the process's CPU time per request, which a machine busy with other work
inflates less than the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher

from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.engine.rollup import Rollup, hour_of
from watchwire.heap import freeze_startup_objects
from watchwire.ids import new_sid
from watchwire.runtime import Runtime
from watchwire.services.users import UserService
from watchwire.store.tables_engine import monitor_rollups, monitors

PASSWORD = "bench password, long enough"


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


async def fill(runtime: Runtime, owner: str, count: int) -> None:
    rng = random.Random(7)
    now = hour_of(datetime.now(UTC))
    # Two monitors made by the service, then cloned in bulk (the service's one transaction
    # per monitor would take minutes for 5,000): same columns, new SID, name, target, tags.
    templates = []
    for kind, target in (("http", "http://127.0.0.1:9/"), ("tcp", "127.0.0.1:9")):
        made = await runtime.monitors.create(
            owner, {"kind": kind, "target": target, "paused": True}, min_interval=15
        )
        async with runtime.db.connect() as conn:
            row = (await conn.execute(sa.select(monitors).where(monitors.c.sid == made.sid))).one()
        templates.append(dict(row._mapping))
    async with runtime.db.transaction() as conn:
        await conn.execute(monitors.delete().where(monitors.c.account_sid == owner))
    sids = []
    clones = []
    for index in range(count):
        clone = dict(templates[0 if index % 3 else 1])
        clone.update(
            sid=new_sid("monitor"),
            name=f"service {index:05d}",
            target=f"http://127.0.0.1:9/{index}" if index % 3 else f"127.0.0.1:{1000 + index}",
            tags=[f"team-{index % 7}"],
        )
        clones.append(clone)
        sids.append(clone["sid"])
    async with runtime.db.transaction() as conn:
        for start in range(0, len(clones), 1000):
            await conn.execute(monitors.insert(), clones[start : start + 1000])
    rows = []
    for sid in sids:
        for hours_ago in range(24):
            down = 60 if rng.random() < 0.02 else 0
            rollup = Rollup(
                count=60,
                failures=1 if down else 0,
                up_seconds=3600 - down,
                down_seconds=down,
                timed=60,
                sum_ms=60 * rng.uniform(20, 200),
            )
            rows.append(
                {"monitor_sid": sid, "hour": now - timedelta(hours=hours_ago), **rollup.to_row()}
            )
    async with runtime.db.transaction() as conn:
        for start in range(0, len(rows), 5000):
            await conn.execute(monitor_rollups.insert(), rows[start : start + 5000])


async def run(monitors: int, requests: int) -> str:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-") as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", secret_key="bench")
        runtime = Runtime.build(settings)
        await runtime.migrate()
        account = await runtime.accounts.create_account("bench", plan="unlimited")
        # The cheapest argon2: the sign-in is not what is measured.
        runtime.users = UserService(
            runtime.db,
            settings.hashing_key(),
            runtime.clock,
            hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        )
        await runtime.users.create_user(account.account_sid, "ops@bench.test", "owner", PASSWORD)
        began = time.perf_counter()
        await fill(runtime, account.account_sid, monitors)
        print(
            f"{monitors} monitors and {monitors * 24} rollups in {time.perf_counter() - began:.1f} s"
        )
        app = create_app(runtime)
        # As `serve` does once started: what start-up built is out of the collector's reach.
        freeze_startup_objects()
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as client:
            form = await client.get("/login")
            csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
            signed = await client.post(
                "/login", data={"csrf": csrf, "email": "ops@bench.test", "password": PASSWORD}
            )
            assert signed.status_code == 303, signed.text
            everything: list[float] = []
            cpu: list[float] = []
            for label, path in (
                ("first page", "/monitors"),
                ("search", "/monitors?q=service%200&tag=team-3"),
                ("live rows", "/monitors/rows"),
            ):
                await client.get(path)  # warm: templates compiled, statements cached
                samples = []
                for _ in range(requests):
                    start, started_cpu = time.perf_counter(), time.process_time()
                    answer = await client.get(path)
                    samples.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    assert answer.status_code == 200 and "monitor-list" in answer.text
                everything += samples
                print(
                    f"{label:>10}: median {statistics.median(samples):.1f} ms, "
                    f"p99 {p99(samples):.1f} ms ({len(answer.content) / 1024:.0f} kB)"
                )
        await runtime.close()
        print(
            f"CPU time of a request: median {statistics.median(cpu):.1f} ms, p99 {p99(cpu):.1f} ms"
        )
        return (
            f"dashboard list, {monitors} monitors (SQLite, in-process): "
            f"p99 {p99(everything):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(asyncio.run(run(args.monitors, args.requests)))


if __name__ == "__main__":
    main()
