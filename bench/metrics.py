"""What /metrics costs: the instrumentation on the engine's hot path, and a scrape of a
database with many monitors (decision 0034).

  per check        telemetry.check_ran + the check id's context variable, ns per check
                   (what every check pays in the engine, measured over `--calls` calls)
  multiprocess     the same counter and histogram update in prometheus_client's
                   multiprocess mode (mmap'd files, PROMETHEUS_MULTIPROC_DIR), ns per
                   check: the alternative decision 0034 turned down
  scrape           one GET /metrics of `--monitors` HTTP monitors on SQLite, through the
                   app, with gzip as Prometheus asks: median of `--scrapes`, split into the
                   database read and the rendering; the body's size

Target (docs/performance.md): a scrape of 10,000 monitors well inside Prometheus' default
10 s scrape timeout, and the per-check cost a small fraction of a check's engine CPU.
Everything is in process, on loopback; the last line is the headline.

    .venv/bin/python bench/metrics.py                     # 10,000 monitors
    .venv/bin/python bench/metrics.py --monitors 2000 --scrapes 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scheduler import Mix, seed
from watchwire import logs, telemetry
from watchwire.api.metrics import database_exposition, process_exposition
from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitors

PER_CHECK_SNIPPET = """
import time
from prometheus_client import Counter, Histogram
from watchwire.telemetry import DURATION_BUCKETS
c = Counter("c", "c", ["kind", "outcome"]).labels("http", "up")
h = Histogram("h", "h", ["kind"], buckets=DURATION_BUCKETS).labels("http")
late = Histogram("l", "l", ["queue"], buckets=DURATION_BUCKETS).labels("monitors")
n = {calls}
began = time.process_time()
for _ in range(n):
    c.inc(); h.observe(0.03); late.observe(0.2)
print((time.process_time() - began) / n * 1e9)
"""
ROUNDS = 3  # the least of three: CPU time is what a check pays, the rest is the neighbours


def per_check_ns(calls: int) -> float:
    """CPU per check of what the engine calls: the check id bound, check_ran."""
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.process_time()
        for _ in range(calls):
            with logs.bound(logs.CHECK_ID, "MO0123"):
                telemetry.check_ran("http", "up", 0.03, 0.2)
        best = min(best, (time.process_time() - began) / calls * 1e9)
    return best


def updates_ns(calls: int, multiprocess: bool) -> float:
    """CPU per check of the bare counter and two histograms, in memory or multiprocess."""
    best = float("inf")
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="watchwire-bench-mp-") as directory:
            env = dict(os.environ)
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
            if multiprocess:
                env["PROMETHEUS_MULTIPROC_DIR"] = directory
            out = subprocess.run(
                [sys.executable, "-c", PER_CHECK_SNIPPET.format(calls=calls)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        best = min(best, float(out.stdout.strip()))
    return best


async def _stalls(stop: asyncio.Event, worst: list[float]) -> None:
    """The longest the event loop went without running this task (10 ms ticks)."""
    while not stop.is_set():
        began = time.perf_counter()
        await asyncio.sleep(0.01)
        worst[0] = max(worst[0], time.perf_counter() - began - 0.01)


@dataclass
class Scrape:
    read: float
    render: float
    total: float
    cpu: float
    stall: float
    size: int
    gzipped: int


async def scrape(count: int, scrapes: int) -> Scrape:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-metrics-") as tmp:
        url = f"sqlite:///{tmp}/metrics.db"
        now = datetime.now(UTC)
        await seed(url, Mix(count, 60), "http://127.0.0.1:9/", now + timedelta(hours=1))
        db = Database(url)
        async with db.transaction() as conn:  # as a running engine leaves them
            await conn.execute(
                monitors.update().values(
                    state="up",
                    last_response_ms=12.5,
                    last_checked_at=now,
                    ssl_not_after=(now + timedelta(days=40)).isoformat(),
                )
            )
            await conn.execute(
                monitors.update()
                .where(monitors.c.sid.in_(sa.select(monitors.c.sid).limit(count // 10)))
                .values(state="down")
            )
        settings = Settings(database_url=url, secret_key="bench", metrics_token="t" * 32)
        runtime = Runtime.build(settings, db=db)
        queues = [(job.name, job.table) for job in runtime.jobs()]
        reads: list[float] = []
        renders: list[float] = []
        totals: list[float] = []
        cpus: list[float] = []
        stalls: list[float] = []
        size = gzipped = 0
        transport = httpx.ASGITransport(app=create_app(runtime))
        headers = {"Authorization": "Bearer " + "t" * 32, "Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(scrapes):
                began = time.perf_counter()
                snapshot = await runtime.metrics.snapshot(queues)
                read = time.perf_counter()
                body = process_exposition() + database_exposition(snapshot)
                reads.append(read - began)
                renders.append(time.perf_counter() - read)
                stop, worst = asyncio.Event(), [0.0]
                ticking = asyncio.create_task(_stalls(stop, worst))
                began, cpu = time.perf_counter(), time.process_time()
                answer = await client.get("/metrics", headers=headers)
                totals.append(time.perf_counter() - began)
                cpus.append(time.process_time() - cpu)
                stop.set()
                await ticking
                stalls.append(worst[0])
                assert answer.status_code == 200, answer.text
                size, gzipped = len(body), int(answer.headers.get("content-length", 0))
        await db.close()
    median = statistics.median
    return Scrape(
        median(reads), median(renders), median(totals), median(cpus), median(stalls), size, gzipped
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--scrapes", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()

    own = per_check_ns(args.calls)
    bare = updates_ns(args.calls, multiprocess=False)
    mmap = updates_ns(args.calls, multiprocess=True)
    print(f"per check: {own:.0f} ns CPU (the check id, a counter, two histograms)")
    print(f"the bare updates: {bare:.0f} ns in memory, {mmap:.0f} ns in multiprocess mode")
    got = asyncio.run(scrape(args.monitors, args.scrapes))
    print(
        f"scrape of {args.monitors} monitors: database {got.read * 1000:.0f} ms, render "
        f"{got.render * 1000:.0f} ms, {got.size / 1e6:.1f} MB ({got.gzipped / 1e6:.2f} MB "
        f"gzipped), {got.cpu * 1000:.0f} ms CPU, event loop held {got.stall * 1000:.0f} ms at most (median)"
    )
    print(
        f"metrics: {args.monitors} monitors scraped in {got.total * 1000:.0f} ms (median of "
        f"{args.scrapes}), {own:.0f} ns CPU per check ({mmap / bare:.1f}x in multiprocess mode)"
    )


if __name__ == "__main__":
    main()
