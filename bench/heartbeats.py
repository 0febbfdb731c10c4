"""Heartbeat monitors on SQLite, in one process: how fast pings are taken, and how fast the
engine calls missed pings.

  pings/s, p50/p99   `--pings` success pings (1 KB bodies) spread over `--monitors`
                     heartbeats, `--clients` at a time, through the ASGI app (httpx's ASGI
                     transport: the app's own cost, no sockets), each ping a row and an update
  verdicts/s         every heartbeat past its deadline at once: the engine claims and writes
                     them (a down result, a downtime, an event each) with a frozen clock

Loopback only (no network at all); bounded by the counts given. The last line is the
headline.

    .venv/bin/python bench/heartbeats.py
    .venv/bin/python bench/heartbeats.py --monitors 200 --pings 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watchwire.app import create_app
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.store.database import Database


async def run(monitors: int, pings: int, clients: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        clock = FrozenClock(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            secret_key="bench",
            heartbeat_pings_per_minute=100_000,
        )
        db = Database(settings.database_url)
        runtime = Runtime.build(settings, db=db, clock=clock)
        await runtime.migrate()
        account = await runtime.accounts.create_account("bench", plan="unlimited")
        tokens = []
        for n in range(monitors):
            fields = {"kind": "heartbeat", "name": f"job {n}", "interval": 60}
            created = await runtime.monitors.create(account.account_sid, fields, min_interval=30)
            assert created.ping_token is not None
            tokens.append(created.ping_token)

        transport = httpx.ASGITransport(app=create_app(runtime))
        body = b"x" * 1024
        latencies: list[float] = []
        queue = iter(range(pings))

        async def client(http: httpx.AsyncClient) -> None:
            for n in queue:
                started = time.perf_counter()
                answer = await http.post(f"/pulse/{tokens[n % monitors]}", content=body)
                latencies.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text

        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            began = time.perf_counter()
            await asyncio.gather(*(client(http) for _ in range(clients)))
            took = time.perf_counter() - began
        rate = pings / took
        cuts = statistics.quantiles(latencies, n=100)
        print(
            f"pings: {pings} in {took:.2f} s = {rate:.0f}/s, "
            f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms"
        )

        engine = Engine(db, ProbeContext(), clock, EngineConfig(concurrency=500), owner="bench")
        await engine.run_once()  # the pings' verdicts (up)
        clock.advance(60 + 60 + 1)  # every deadline passed
        began = time.perf_counter()
        written = 0
        while True:
            outcome = await engine.run_once()
            if not outcome.written:
                break
            written += outcome.written
        took = time.perf_counter() - began
        print(f"missed: {written} verdicts in {took:.2f} s = {written / took:.0f}/s")
        await runtime.close()
        return (
            f"heartbeats (SQLite, in-process): {rate:.0f} pings/s "
            f"at {clients} clients, p99 {cuts[98] * 1000:.1f} ms; "
            f"{written / took:.0f} missed-ping verdicts/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument("--pings", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    print(asyncio.run(run(args.monitors, args.pings, args.clients)))


if __name__ == "__main__":
    main()
