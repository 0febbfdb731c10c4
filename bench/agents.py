"""Agents at scale: `--agents` `watchwire agent` processes (one location each) and one
central `watchwire serve` on SQLite, HTTP monitors placed at every agent's location (quorum
over them) checking a local nginx, at `--interval`.

After `--warmup` seconds it measures for `--duration` seconds, from the results the central
service recorded:

  checks/s          results written in the window per second (all locations)
  lateness p50/p99  how late checks started against each location's schedule
  doubled           one monitor's checks at one location less than half an interval apart
  central CPU       CPU of the central process per recorded check (ms), and % of one core

The issue's figure is 3 agents x 10,000 monitors at 60 s (`--monitors 10000`); seeding that
many through the service takes a few minutes. Traffic goes to 127.0.0.1 only; every phase is
bounded in time. The last line is the headline.

    .venv/bin/python bench/agents.py                                   # 3 x 10,000 at 60 s
    .venv/bin/python bench/agents.py --monitors 200 --interval 15 --warmup 20 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import WATCHWIRE, free_port
from http_probe import local_nginx
from watchwire.config import Settings
from watchwire.runtime import Runtime

SECRET = "bench-agents"


async def seed(url: str, monitors: int, agents: int, target: str) -> list[str]:
    """The locations (their tokens) and the monitors, through the services."""
    runtime = Runtime.build(Settings(database_url=url, secret_key=SECRET))
    try:
        await runtime.migrate()
        await runtime.locations.ensure_own()
        account = (await runtime.accounts.create_account("bench", plan="unlimited")).account_sid
        tokens = []
        codes = [f"ag{i}" for i in range(agents)]
        for code in codes:
            _, token = await runtime.locations.create({"code": code, "name": code})
            assert token is not None
            tokens.append(token)
        for n in range(monitors):
            await runtime.monitors.create(
                account,
                {"kind": "http", "target": f"{target}?m={n}", "locations": codes},
                min_interval=15,
            )
        return tokens
    finally:
        await runtime.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def analyse(db: Path, start: datetime, end: datetime, interval: int) -> dict[str, float]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT monitor_sid, location, checked_at, lateness_ms FROM monitor_results"
            " WHERE checked_at >= ? AND checked_at < ? ORDER BY checked_at",
            (start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")),
        ).fetchall()
    lateness = sorted(r[3] for r in rows) or [0.0]
    seen: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for sid, location, checked_at, _ in rows:
        seen[(sid, location)].append(datetime.fromisoformat(checked_at))
    doubled = sum(
        1
        for times in seen.values()
        for a, b in itertools.pairwise(times)
        if (b - a).total_seconds() < interval / 2
    )
    q = statistics.quantiles(lateness, n=100) if len(lateness) > 1 else [lateness[0]] * 99
    return {
        "checks": len(rows),
        "p50": q[49],
        "p99": q[98],
        "doubled": doubled,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--warmup", type=float, default=60)
    parser.add_argument("--duration", type=float, default=180)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_nginx() as target:
        work = Path(os.environ.get("BENCH_AGENTS_DIR") or tmp)
        db = work / "central.db"
        url = f"sqlite:///{db}"
        started = time.monotonic()
        tokens = asyncio.run(seed(url, args.monitors, args.agents, target))
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE monitors SET interval_seconds = ?", (args.interval,))
        print(f"seeded {args.monitors} monitors in {time.monotonic() - started:.0f} s", flush=True)
        port = free_port()
        env = {
            **os.environ,
            "WATCHWIRE_DATABASE_URL": url,
            "WATCHWIRE_SECRET_KEY": SECRET,
            "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
            "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
            "WATCHWIRE_LOG_LEVEL": "INFO",
            "WATCHWIRE_LISTEN": f"127.0.0.1:{port}",
        }
        log = (work / "processes.log").open("ab")
        central = subprocess.Popen([WATCHWIRE, "serve"], env=env, stdout=log, stderr=log)
        processes = [central]
        try:
            time.sleep(2)
            for i, token in enumerate(tokens):
                argv = [WATCHWIRE, "agent", "--url", f"http://127.0.0.1:{port}", "--token", token,
                        "--buffer", str(work / f"buffer{i}")]  # fmt: skip
                processes.append(subprocess.Popen(argv, env=env, stdout=log, stderr=log))
            # Every agent up first; then the checks' due times spread over one interval from
            # now, as a running installation has them (not the start-up backlog), and no lease.
            deadline = time.monotonic() + 60
            while (work / "processes.log").read_text().count("agent ") < len(tokens):
                if time.monotonic() > deadline:
                    raise SystemExit("the agents did not start within 60 s")
                time.sleep(0.2)
            time.sleep(2)
            now = datetime.now(UTC)
            with sqlite3.connect(db) as conn:
                keys = conn.execute(
                    "SELECT monitor_sid, location FROM monitor_locations"
                ).fetchall()
                conn.executemany(
                    "UPDATE monitor_locations SET next_run_at = ?, lease_owner = NULL,"
                    " lease_expires_at = NULL WHERE monitor_sid = ? AND location = ?",
                    [
                        (
                            (now + timedelta(seconds=args.interval * n / len(keys))).strftime(
                                "%Y-%m-%d %H:%M:%S.%f"
                            ),
                            sid,
                            code,
                        )
                        for n, (sid, code) in enumerate(keys)
                    ],
                )
            time.sleep(args.warmup)
            cpu_before, begin = cpu_seconds(central.pid), datetime.now(UTC)
            time.sleep(args.duration)
            cpu = cpu_seconds(central.pid) - cpu_before
            end = datetime.now(UTC)
        finally:
            for process in reversed(processes):
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        figures = analyse(db, begin, end - timedelta(seconds=1), args.interval)
        warnings = [
            line
            for line in (work / "processes.log").read_text().splitlines()
            if " WARNING " in line or " ERROR " in line
        ]
        for line in warnings[:5]:
            print(line)
    seconds = args.duration
    per_check = 1000 * cpu / figures["checks"] if figures["checks"] else float("nan")
    expected = args.agents * args.monitors / args.interval
    print(
        f"{args.agents} agents x {args.monitors} monitors at {args.interval} s: "
        f"{figures['checks'] / seconds:.1f} checks/s ({expected:.1f} expected), lateness "
        f"p50 {figures['p50']:.0f} ms / p99 {figures['p99']:.0f} ms, doubled "
        f"{figures['doubled']}, central CPU {per_check:.2f} ms per check "
        f"({100 * cpu / seconds:.0f}% of a core)"
    )


if __name__ == "__main__":
    main()
