"""Latency of a status page with 200 components and 90 days of hourly rollups, served by one
`watchwire serve` process on SQLite.

The monitors are paused (nothing is checked); their 90 days x 24 hourly rollups (432,000
rows) are written straight into the database, as the engine would have. Two figures:

- *computed*: each request computes the page afresh (the visit cache turned off), one
  visitor after another: what the first visitor after a change waits;
- *served*: a crowd of `--visitors` concurrent visitors for `--seconds`, the cache on, as
  deployed: what visitors wait.

    .venv/bin/python bench/status_page.py [--components 200] [--requests 60] [--seconds 10]

The last line is the served p99 in ms, the issue's figure (target ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import httpx

from _harness import watchwire_serve
from watchwire.engine.rollup import Rollup, hour_of
from watchwire.store.database import Database
from watchwire.store.tables_engine import monitor_rollups

DAYS = 90


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


async def fill_rollups(database_url: str, sids: list[str]) -> None:
    now = hour_of(datetime.now(UTC))
    rng = random.Random(7)
    db = Database(database_url)
    try:
        for sid in sids:
            rows = []
            for hours_ago in range(DAYS * 24):
                down = 60 if rng.random() < 0.01 else 0
                rollup = Rollup(
                    count=60,
                    failures=1 if down else 0,
                    up_seconds=3600 - down,
                    down_seconds=down,
                    timed=60,
                    sum_ms=60 * rng.uniform(20, 200),
                )
                rows.append(
                    {
                        "monitor_sid": sid,
                        "hour": now - timedelta(hours=hours_ago),
                        **rollup.to_row(),
                    }
                )
            async with db.transaction() as conn:
                await conn.execute(monitor_rollups.insert(), rows)
    finally:
        await db.close()


async def setup(base: str, key: str, components: int, database_url: str) -> str:
    headers = {"X-API-Key": key}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api:
        sids = []
        for i in range(components):
            created = await api.post(
                "/v1/monitors",
                json={
                    "kind": "tcp",
                    "target": f"127.0.0.1:{10000 + i}",
                    "paused": True,
                    "name": f"Service {i:03d}",
                },
            )
            created.raise_for_status()
            sids.append(created.json()["data"]["sid"])
        await fill_rollups(database_url, sids)
        groups = [f"Region {g}" for g in range(5)]
        page = await api.post(
            "/v1/status-pages",
            json={
                "name": "Bench",
                "groups": groups,
                "components": [{"sid": s, "group": groups[i % 5]} for i, s in enumerate(sids)],
            },
        )
        page.raise_for_status()
        token: str = page.json()["data"]["token"]
        for n in range(5):
            incident = await api.post(
                f"/v1/status-pages/{token}/incidents",
                json={
                    "title": f"Incident {n}",
                    "message": "Some **trouble**.",
                    "components": sids[n::50],
                },
            )
            incident.raise_for_status()
        return token


async def one_by_one(base: str, token: str, requests: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as web:
        (await web.get(f"/p/{token}")).raise_for_status()  # warm-up
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            (await web.get(f"/p/{token}")).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
        return samples


async def crowd(base: str, token: str, visitors: int, seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = 0.0
    url = f"{base}/p/{token}"

    async def visitor(web: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline and len(samples) < 100_000:
            started = time.perf_counter()
            # The body as sent (gzipped, as browsers take it), not decoded: decoding 2.4 MB
            # per answer in this one client process would be the client's latency, not the
            # server's (a browser decodes in its own process).
            async with web.get(url) as answer:
                answer.raise_for_status()
                await answer.read()
            samples.append((time.perf_counter() - started) * 1000)

    # aiohttp rather than httpx for the crowd: it costs the client a third of the CPU per
    # request, and on two cores the client's CPU is taken from the server's.
    connector = aiohttp.TCPConnector(limit=visitors)
    headers = {"Accept-Encoding": "gzip"}
    async with aiohttp.ClientSession(
        connector=connector, auto_decompress=False, headers=headers
    ) as web:
        async with web.get(url) as first:  # the first visit computes it
            first.raise_for_status()
            await first.read()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(visitor(web) for _ in range(visitors)))
    return samples


def run(components: int, requests: int, visitors: int, seconds: float, cache: bool) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-page-") as tmp:
        database_url = f"sqlite:///{tmp}/page.db"
        env = {
            "WATCHWIRE_DATABASE_URL": database_url,
            # The default: what a deployment does. 0 turns the cache off.
            "WATCHWIRE_STATUS_PAGE_CACHE_SECONDS": "10" if cache else "0",
        }
        with watchwire_serve(env) as (base, key):
            token = asyncio.run(setup(base, key, components, database_url))
            if cache:
                return asyncio.run(crowd(base, token, visitors, seconds))
            return asyncio.run(one_by_one(base, token, requests))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--components", type=int, default=200)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    computed = run(args.components, args.requests, args.visitors, args.seconds, cache=False)
    print(
        f"computed afresh, {len(computed)} requests: p50 {statistics.median(computed):.1f} ms, "
        f"p99 {p99(computed):.1f} ms"
    )
    served = run(args.components, args.requests, args.visitors, args.seconds, cache=True)
    print(
        f"served to {args.visitors} visitors for {args.seconds:.0f} s: {len(served)} requests, "
        f"{len(served) / args.seconds:.0f}/s, p50 {statistics.median(served):.1f} ms"
    )
    print(f"status page p99 {p99(served):.1f} ms ({args.components} components, {DAYS} days)")


if __name__ == "__main__":
    main()
