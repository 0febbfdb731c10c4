"""Soak: API traffic, 5,000 monitors and webhook deliveries together in one `watchwire serve`
(SQLite) for a bounded time, to show nothing fails and nothing grows.

Everything targets a private nginx on 127.0.0.1: the monitors (HTTP, every `--interval`
seconds, first due times spread over one interval) and the webhook the API's test events
are delivered to. API clients send `--rate` requests per second, a mix of reads (account,
monitors, results, events, deliveries) and writes (a test event — one delivery each — and a
monitor created then deleted). After `--warmup` seconds the run is measured for
`--duration` seconds; then the traffic stops and the deliveries get 60 s to drain.

Errors (must be 0): API answers other than the expected status and failed requests; checks
missed (a gap over 1.5 intervals) or run twice; deliveries not delivered after the drain.
RSS of the serve process: the mean of the first and of the last 10 s of the measured window
(flat: within 10 %). The last line is the figure.

    .venv/bin/python bench/soak.py                      # 60 s warm-up, 3 min measured
    .venv/bin/python bench/soak.py --duration 3600      # the release run: an hour
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import sqlalchemy as sa

from _harness import WATCHWIRE, free_port
from http_probe import local_nginx
from scheduler import Sampler, analyse, read_results, seed
from watchwire.store.database import Database
from watchwire.store.tables_webhooks import deliveries


@dataclass
class Traffic:
    """What the API clients sent and what came back."""

    sent: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


async def api_traffic(
    base: str,
    key: str,
    webhook_url: str,
    rate: float,
    until: float,
    traffic: Traffic,
    rng: random.Random,
) -> None:
    """`rate` requests per second, in the mix the module docstring describes, until the
    monotonic time `until`. Every request must answer its expected status."""
    async with httpx.AsyncClient(
        base_url=base,
        headers={"X-API-Key": key},
        timeout=30,
        limits=httpx.Limits(max_connections=32),
    ) as client:
        hook = await client.post("/v1/webhooks", json={"url": webhook_url})
        hook.raise_for_status()
        hook_sid = hook.json()["data"]["sid"]
        mine = await client.post(
            "/v1/monitors", json={"kind": "tcp", "target": "127.0.0.1:9", "paused": True}
        )
        mine.raise_for_status()
        monitor_sid = mine.json()["data"]["sid"]

        async def one(name: str, method: str, path: str, expect: int, **kw: object) -> None:
            started = time.perf_counter()
            traffic.sent[name] += 1
            try:
                answer = await client.request(method, path, **kw)  # type: ignore[arg-type]
            except httpx.HTTPError as exc:
                traffic.errors[f"{name}: {type(exc).__name__}"] += 1
                return
            traffic.latencies_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code != expect:
                traffic.errors[f"{name}: {answer.status_code}"] += 1
                return
            if name == "create monitor":
                sid = answer.json()["data"]["sid"]
                await one("delete monitor", "DELETE", f"/v1/monitors/{sid}", 200)

        mix = [
            (40, ("account", "GET", "/v1/account", 200)),
            (15, ("monitors", "GET", "/v1/monitors?per_page=50", 200)),
            (10, ("results", "GET", f"/v1/monitors/{monitor_sid}/results", 200)),
            (10, ("events", "GET", "/v1/events?per_page=20", 200)),
            (10, ("deliveries", "GET", "/v1/deliveries?per_page=20", 200)),
            (10, ("test event", "POST", f"/v1/webhooks/{hook_sid}/test", 202)),
            (5, ("create monitor", "POST", "/v1/monitors", 201)),
        ]
        weights = [w for w, _ in mix]
        requests = [r for _, r in mix]
        body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True, "allow_duplicate": True}
        pending: set[asyncio.Task[None]] = set()
        next_at = time.monotonic()
        while time.monotonic() < until:
            name, method, path, expect = rng.choices(requests, weights)[0]
            extra = {"json": body} if name == "create monitor" else {}
            task = asyncio.create_task(one(name, method, path, expect, **extra))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*pending)


async def undelivered(url: str) -> int:
    db = Database(url)
    try:
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
    finally:
        await db.close()


async def delivery_count(url: str) -> int:
    db = Database(url)
    try:
        async with db.connect() as conn:
            return int(
                (
                    await conn.execute(sa.select(sa.func.count()).select_from(deliveries))
                ).scalar_one()
            )
    finally:
        await db.close()


def rss_mb(pid: int) -> float:
    sampler = Sampler([pid])
    sampler.sample()
    return sampler.peak_rss / 2**20


@dataclass
class Measured:
    window: tuple[datetime, datetime]
    rss: list[tuple[float, float]]
    undelivered: int


async def drive(
    args: argparse.Namespace,
    server: subprocess.Popen[bytes],
    base: str,
    key: str,
    webhook_url: str,
    url: str,
    traffic: Traffic,
) -> Measured:
    """Wait for serve, run the traffic, sample RSS each second, then let deliveries drain."""
    async with httpx.AsyncClient(base_url=base) as probe:
        for _ in range(300):
            with contextlib.suppress(httpx.TransportError):
                if (await probe.get("/healthz")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
    measure_from = time.monotonic() + args.warmup
    until = measure_from + args.duration
    load = asyncio.create_task(
        api_traffic(base, key, webhook_url, args.rate, until, traffic, random.Random(14))
    )
    rss: list[tuple[float, float]] = []
    while time.monotonic() < until:
        if server.poll() is not None:
            raise SystemExit("bench: watchwire serve exited during the soak")
        if time.monotonic() >= measure_from:
            rss.append((time.monotonic() - measure_from, rss_mb(server.pid)))
        await asyncio.sleep(1)
    end = datetime.now(UTC)
    await load
    left = await undelivered(url)
    for _ in range(120):  # 60 s for the last deliveries
        if not left:
            break
        await asyncio.sleep(0.5)
        left = await undelivered(url)
    return Measured((end - timedelta(seconds=args.duration), end), rss, left)


def soak(args: argparse.Namespace, target: str, tmp: str) -> str:
    url = f"sqlite:///{tmp}/soak.db"
    port = free_port()
    env = {
        **os.environ,
        "WATCHWIRE_DATABASE_URL": url,
        "WATCHWIRE_LISTEN": f"127.0.0.1:{port}",
        "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
        "WATCHWIRE_SECRET_KEY": "bench",
        "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
        "WATCHWIRE_LOG_LEVEL": "WARNING",
    }
    first_due = datetime.now(UTC) + timedelta(seconds=5)
    asyncio.run(seed(url, args.monitors, target, args.interval, first_due))
    created = subprocess.run(
        [WATCHWIRE, "account", "create", "soak", "--plan", "unlimited", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(created.stdout)["key"]
    server = subprocess.Popen([WATCHWIRE, "serve"], env=env)
    traffic = Traffic()
    try:
        base = f"http://127.0.0.1:{port}"
        measured = asyncio.run(drive(args, server, base, key, f"{target}hook", url, traffic))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    rows = asyncio.run(read_results(url))
    window = measured.window
    missed, twice, _, p99 = analyse(rows, window[0], window[1], args.interval)
    checks = sum(1 for _, at, _ in rows if window[0] <= at < window[1])
    total_deliveries = asyncio.run(delivery_count(url))
    first = statistics.mean(v for t, v in measured.rss if t < 10)
    last = statistics.mean(v for t, v in measured.rss if t >= args.duration - 10)
    requests = sum(traffic.sent.values())
    api_errors = sum(traffic.errors.values())
    left = measured.undelivered
    errors = api_errors + missed + twice + left
    for name, count in sorted(traffic.errors.items()):
        print(f"  API error {name}: {count}")
    p99_api = statistics.quantiles(traffic.latencies_ms, n=100)[98]
    return (
        f"soak: {args.monitors:,} monitors + {requests:,} API requests + "
        f"{total_deliveries:,} deliveries in {args.warmup + args.duration:.0f} s "
        f"({args.duration:.0f} s measured after {args.warmup:.0f} s of warm-up): "
        f"{errors} errors (API {api_errors}, missed checks {missed}, run twice "
        f"{twice}, undelivered {left}); {checks / args.duration:.1f} checks/s, lateness p99 "
        f"{p99:.0f} ms, API p99 {p99_api:.0f} ms; RSS {first:.0f} MB -> {last:.0f} MB "
        f"({100 * (last - first) / first:+.1f} %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=5000)
    parser.add_argument("--interval", type=int, default=60, help="seconds between checks")
    parser.add_argument("--rate", type=float, default=50, help="API requests per second")
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--duration", type=float, default=180, help="measured seconds")
    args = parser.parse_args()
    with local_nginx() as target, tempfile.TemporaryDirectory(prefix="watchwire-soak-") as tmp:
        print(soak(args, target, tmp))


if __name__ == "__main__":
    main()
