"""Scheduler throughput and punctuality: HTTP monitors at a fixed interval against a local
nginx, run by `watchwire serve` on SQLite or by `watchwire worker` processes on PostgreSQL.

For each mode it seeds the monitors straight into a fresh database (first due times spread
evenly over one interval), starts the engine process(es), waits `--warmup` seconds, then
measures for `--duration` seconds:

  checks/s          results written in the window per second
  lateness p50/p99  how late checks started against their schedule
  missed            due checks that did not run (gaps longer than 1.5 intervals)
  run twice         consecutive checks of one monitor less than half an interval apart
  RSS, CPU          of the engine process(es): peak resident memory, CPU % of one core

`--fast-share F` seeds that share of the HTTP monitors at 15 s (updown's smallest period)
instead of `--interval`; `--heartbeats N` adds N heartbeat monitors (`--heartbeat-interval`,
grace 0) that get no pings, so each is judged missed once per period at its deadline: the
engine's whole share of a heartbeat (pings are the API's work). Missed and run-twice are
judged against each monitor's own interval.

Targets (docs/performance.md): 20,000 monitors in one `serve` on SQLite and 50,000 with two
workers on PostgreSQL, p99 lateness ≤ 1 s, RSS ≤ 500 MB, 0 missed, 0 run twice. Traffic
goes to 127.0.0.1 only; every phase is bounded in time. The last line is the headline.

    .venv/bin/python bench/scheduler.py                         # both, full size
    .venv/bin/python bench/scheduler.py --mode sqlite --monitors 2000 --warmup 20 --duration 60
    .venv/bin/python bench/scheduler.py --mode sqlite --monitors 200 --fast-share 0.5 \
        --heartbeats 100 --heartbeat-interval 15 --warmup 10 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa

from _harness import WATCHWIRE, free_port
from http_probe import local_nginx
from watchwire.ids import new_sid
from watchwire.store.database import Database
from watchwire.store.migrate import upgrade
from watchwire.store.tables import accounts
from watchwire.store.tables_engine import monitor_results, monitors

POSTGRES_ADMIN = os.environ.get(
    "WATCHWIRE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Mix:
    """What to seed: HTTP monitors (a share of them at 15 s) and heartbeat monitors."""

    monitors: int
    interval: int
    fast_share: float = 0.0
    heartbeats: int = 0
    heartbeat_interval: int = 60

    def describe(self) -> str:
        fast = round(self.monitors * self.fast_share)
        parts = [f"{self.monitors} monitors"]
        if fast:
            parts.append(f"{fast} of them at 15 s")
        if self.heartbeats:
            parts.append(f"{self.heartbeats} heartbeats at {self.heartbeat_interval} s")
        return ", ".join(parts)


FAST_INTERVAL = 15


@dataclass
class Figures:
    mode: str
    monitors: str
    checks_per_s: float
    lateness_p50_ms: float
    lateness_p99_ms: float
    missed: int
    run_twice: int
    rss_mb: float
    cpu_pct: float

    def line(self) -> str:
        return (
            f"{self.mode}: {self.monitors}, {self.checks_per_s:.1f} checks/s, "
            f"lateness p50 {self.lateness_p50_ms:.0f} ms p99 {self.lateness_p99_ms:.0f} ms, "
            f"missed {self.missed}, run twice {self.run_twice}, RSS {self.rss_mb:.0f} MB, "
            f"CPU {self.cpu_pct:.0f}%"
        )


async def seed(url: str, mix: Mix, target: str, first_due: datetime) -> dict[str, int]:
    """Seed `mix`; returns every monitor's interval by SID."""
    db = Database(url)
    await upgrade(db)
    now = datetime.now(UTC)
    account = new_sid("account")
    async with db.transaction() as conn:
        await conn.execute(
            accounts.insert().values(sid=account, name="bench", plan="unlimited", created_at=now)
        )
    base = {
        "account_sid": account,
        "kind": "http",
        "target": target,
        "options": {"keyword": "ok"},
        "interval_seconds": mix.interval,
        "timeout_seconds": 10.0,
        "confirmations": 2,
        "recoveries": 1,
        "degraded_ms": None,
        "apdex_t_ms": 500.0,
        "ssl_expiry_days": [],
        "expect": [],
        "paused": False,
        "tags": [],
        "contact_groups": [],
        "state": "pending",
        "fail_streak": 0,
        "success_streak": 0,
        "created_at": now,
        "updated_at": now,
    }
    fast = round(mix.monitors * mix.fast_share)
    rows: list[dict[str, Any]] = []
    for i in range(mix.monitors):
        interval = FAST_INTERVAL if i < fast else mix.interval
        rows.append(
            {
                **base,
                "sid": new_sid("monitor"),
                "name": f"bench {i}",
                "interval_seconds": interval,
                "timeout_seconds": min(10.0, interval / 2),
                "next_run_at": first_due + timedelta(seconds=interval * i / mix.monitors),
            }
        )
    for i in range(mix.heartbeats):
        # No pings come: each deadline (anchor + period, grace 0) is judged missed.
        due = first_due + timedelta(seconds=mix.heartbeat_interval * i / mix.heartbeats)
        rows.append(
            {
                **base,
                "sid": new_sid("monitor"),
                "name": f"bench heartbeat {i}",
                "kind": "heartbeat",
                "target": "",
                "options": {"grace": 0},
                "confirmations": 1,
                "interval_seconds": mix.heartbeat_interval,
                "ping_anchor_at": due - timedelta(seconds=mix.heartbeat_interval),
                "next_run_at": due,
            }
        )
    for start in range(0, len(rows), 5000):
        async with db.transaction() as conn:
            await conn.execute(monitors.insert(), rows[start : start + 5000])
    await db.close()
    return {row["sid"]: int(row["interval_seconds"]) for row in rows}


class Sampler:
    """Peak RSS and CPU time of a set of processes, from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_rss = 0
        self.cpu_start = self.cpu_seconds()

    def cpu_seconds(self) -> float:
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError):
                pass
        return total

    def sample(self) -> None:
        rss = 0
        for pid in self.pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
            except OSError:
                pass
        self.peak_rss = max(self.peak_rss, rss)


def analyse(
    rows: list[tuple[str, datetime, float]],
    start: datetime,
    end: datetime,
    intervals: dict[str, int],
) -> tuple[int, int, float, float]:
    """(missed, run twice, lateness p50, lateness p99) of results in [start, end), each
    monitor against its own interval."""
    by_monitor: dict[str, list[datetime]] = defaultdict(list)
    lateness: list[float] = []
    for sid, checked_at, late in rows:
        if start <= checked_at < end:
            by_monitor[sid].append(checked_at)
            lateness.append(late)
    missed = twice = 0
    for sid, times in by_monitor.items():
        interval = intervals[sid]
        times.sort()
        edges = [start, *times, end]
        for earlier, later in itertools.pairwise(edges):
            gap = (later - earlier).total_seconds()
            if gap > 1.5 * interval:
                missed += round(gap / interval) - 1
        for earlier, later in itertools.pairwise(times):
            if (later - earlier).total_seconds() < interval / 2:
                twice += 1
    if not lateness:
        return missed, twice, 0.0, 0.0
    lateness.sort()
    p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))]
    return missed, twice, statistics.median(lateness), p99


def _aware(value: Any) -> datetime:
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def read_results(url: str) -> list[tuple[str, datetime, float]]:
    db = Database(url)
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    monitor_results.c.monitor_sid,
                    monitor_results.c.checked_at,
                    monitor_results.c.lateness_ms,
                )
            )
        ).all()
    await db.close()
    return [(r.monitor_sid, _aware(r.checked_at), float(r.lateness_ms)) for r in rows]


def measure(
    processes: list[subprocess.Popen[bytes]], warmup: float, duration: float
) -> tuple[datetime, datetime, Sampler]:
    deadline = time.monotonic() + warmup
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise SystemExit("an engine process exited during the warm-up")
        time.sleep(0.5)
    sampler = Sampler([p.pid for p in processes])
    start = datetime.now(UTC)
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        sampler.sample()
        time.sleep(1)
    return start, datetime.now(UTC), sampler


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def run_mode(
    mode: str, url: str, count: int, workers: int, args: argparse.Namespace, target: str
) -> Figures:
    mix = Mix(count, args.interval, args.fast_share, args.heartbeats, args.heartbeat_interval)
    env = {
        **os.environ,
        "WATCHWIRE_DATABASE_URL": url,
        "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
        "WATCHWIRE_SECRET_KEY": "bench",
        "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
        "WATCHWIRE_LOG_LEVEL": "WARNING",
        "WATCHWIRE_ENGINE_CONCURRENCY": str(args.concurrency),
        "WATCHWIRE_LISTEN": f"127.0.0.1:{free_port()}",
    }
    first_due = datetime.now(UTC) + timedelta(seconds=5)
    intervals = asyncio.run(seed(url, mix, target, first_due))
    if mode == "sqlite":
        commands = [[WATCHWIRE, "serve"]]
    else:
        commands = [
            [WATCHWIRE, "worker", "--location", f"w{i}", "--concurrency", str(args.concurrency)]
            for i in range(workers)
        ]
    processes = [subprocess.Popen(command, env=env) for command in commands]
    try:
        start, end, sampler = measure(processes, args.warmup + 5, args.duration)
        cpu = sampler.cpu_seconds() - sampler.cpu_start
    finally:
        stop(processes)
    rows = asyncio.run(read_results(url))
    missed, twice, p50, p99 = analyse(rows, start, end, intervals)
    in_window = sum(1 for _, checked_at, _ in rows if start <= checked_at < end)
    seconds = (end - start).total_seconds()
    return Figures(
        mode=mode if mode == "sqlite" else f"postgresql x{workers}",
        monitors=mix.describe(),
        checks_per_s=in_window / seconds,
        lateness_p50_ms=p50,
        lateness_p99_ms=p99,
        missed=missed,
        run_twice=twice,
        rss_mb=sampler.peak_rss / 2**20,
        cpu_pct=100 * cpu / seconds,
    )


def sqlite_run(args: argparse.Namespace, target: str) -> Figures:
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-sched-") as tmp:
        return run_mode("sqlite", f"sqlite:///{tmp}/bench.db", args.monitors, 1, args, target)


def postgres_run(args: argparse.Namespace, target: str) -> Figures:
    import asyncpg  # type: ignore[import-untyped]

    name = "ww_bench_" + secrets.token_hex(4)
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        return run_mode(
            "postgresql", f"{base}/{name}", args.pg_monitors, args.workers, args, target
        )
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--monitors", type=int, default=20_000, help="SQLite run")
    parser.add_argument("--pg-monitors", type=int, default=50_000, help="PostgreSQL run")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (PostgreSQL)")
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument(
        "--fast-share", type=float, default=0.0, help="share of HTTP monitors at 15 s (0..1)"
    )
    parser.add_argument("--heartbeats", type=int, default=0, help="heartbeat monitors to add")
    parser.add_argument("--heartbeat-interval", type=int, default=60)
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--concurrency", type=int, default=500, help="checks at once per process")
    args = parser.parse_args()
    if not 0 <= args.fast_share <= 1:
        parser.error("--fast-share is a share: 0 to 1")
    if args.heartbeats < 0 or args.heartbeat_interval < FAST_INTERVAL:
        parser.error(f"--heartbeats >= 0 and --heartbeat-interval >= {FAST_INTERVAL}")
    figures: list[Figures] = []
    with local_nginx() as url:
        if args.mode in ("sqlite", "both"):
            figures.append(sqlite_run(args, url))
            print(figures[-1].line(), flush=True)
        if args.mode in ("postgresql", "both"):
            figures.append(postgres_run(args, url))
            print(figures[-1].line(), flush=True)
    print(" | ".join(f.line() for f in figures))


if __name__ == "__main__":
    main()
