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
began = time.perf_counter()
for _ in range(n):
    c.inc(); h.observe(0.03); late.observe(0.2)
print((time.perf_counter() - began) / n * 1e9)
"""


def per_check_ns(calls: int) -> float:
    began = time.perf_counter()
    for _ in range(calls):
        with logs.bound(logs.CHECK_ID, "MO0123"):
            telemetry.check_ran("http", "up", 0.03, 0.2)
    return (time.perf_counter() - began) / calls * 1e9


def multiprocess_ns(calls: int) -> float:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-mp-") as directory:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}
        code = PER_CHECK_SNIPPET.format(calls=calls)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
    return float(out.stdout.strip())


async def scrape(count: int, scrapes: int) -> tuple[float, float, float, int, int]:
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
        reads, renders, totals, size, gzipped = [], [], [], 0, 0
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
                began = time.perf_counter()
                answer = await client.get("/metrics", headers=headers)
                totals.append(time.perf_counter() - began)
                assert answer.status_code == 200, answer.text
                size, gzipped = len(body), int(answer.headers.get("content-length", 0))
        await db.close()
    return (
        statistics.median(reads),
        statistics.median(renders),
        statistics.median(totals),
        size,
        gzipped,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--scrapes", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()

    own = per_check_ns(args.calls)
    print(f"per check: {own:.0f} ns (counter, two histograms, the check id)")
    mmap = multiprocess_ns(args.calls)
    print(f"multiprocess mode: {mmap:.0f} ns for the same updates")
    read, render, total, size, gzipped = asyncio.run(scrape(args.monitors, args.scrapes))
    print(
        f"scrape of {args.monitors} monitors: database {read * 1000:.0f} ms, "
        f"render {render * 1000:.0f} ms, {size / 1e6:.1f} MB ({gzipped / 1e6:.2f} MB gzipped)"
    )
    print(
        f"metrics: {args.monitors} monitors scraped in {total * 1000:.0f} ms (median of "
        f"{args.scrapes}, gzip), {own:.0f} ns per check ({mmap:.0f} ns in multiprocess mode)"
    )


if __name__ == "__main__":
    main()
