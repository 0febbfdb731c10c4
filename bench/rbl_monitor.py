"""One full sweep of blocklist monitoring through the real job path: 1,024 hosts (four /24s)
on one profile of 20 lists served by a local rbldnsd, checked by the `rbl_hosts` job
(services/rbl/checker.py) as `serve` runs it — claims with leases, one probe call per host,
the state change, the started/completed/listed events and the lease completion written per
host — on SQLite (the embedded default) or PostgreSQL (`--database postgresql://…`).

Every 16th address of each zone is listed (an offset per zone), so every host ends up listed
on one or two lists and produces a `rbl.host.listed` event besides started/completed.

The last line: wall time of the sweep and lookups/s (hosts x lists / wall time; the lists'
self-tests and the TXT reasons of listings are extra queries not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
import uvloop
from tests.servers.rbldnsd import RbldnsdServer

from watchwire.config import Settings
from watchwire.engine.jobs import JobRunner
from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.migrate import upgrade
from watchwire.store.tables_rbl import rbl_hosts

SUBNETS = [f"198.18.{n}.0/24" for n in range(4)]
ZONES = [f"bl{index:02d}.bench.test" for index in range(20)]
TIME_LIMIT = 300.0


def zone_lines(index: int) -> list[str]:
    return [f":127.0.0.{2 + index % 8}:Listed by zone {index}: $"] + [
        f"198.18.{net}.{host}" for net in range(4) for host in range(index % 16, 256, 16)
    ]


async def checked(db: Database) -> int:
    async with db.connect() as conn:
        query = sa.select(sa.func.count()).select_from(rbl_hosts)
        return int(
            (await conn.execute(query.where(rbl_hosts.c.last_checked.is_not(None)))).scalar_one()
        )


async def sweep(server: RbldnsdServer, database_url: str, schema: str | None) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="bench",
        allow_private_targets=True,
        resolver=server.address,
    )
    db = Database(database_url, schema=schema)
    await upgrade(db)
    runtime = Runtime.build(settings, db=db)
    try:
        account = (await runtime.accounts.create_account("bench", plan="unlimited")).account_sid
        entries = [
            (await runtime.rbl.create_source(account, {"host": zone, "type": "rbl"})).sid
            for zone in ZONES
        ]
        profile = await runtime.rbl.create_profile(
            account, {"name": "bench", "entries": entries, "frequency": "1_hour"}
        )
        hosts = 0
        for subnet in SUBNETS:
            created = await runtime.rbl.create_hosts(
                account, {"host": subnet, "name": subnet, "profile": profile.sid}
            )
            hosts += len(created)
        print(
            f"{hosts} hosts, {len(ZONES)} lists, job concurrency {runtime.rbl.host_job.concurrency}"
        )

        stop = asyncio.Event()
        runner = JobRunner(runtime.db, runtime.clock, runtime.rbl.host_job, "bench-worker")
        started = time.perf_counter()
        task = asyncio.create_task(runner.run(stop))
        done = 0
        while time.perf_counter() - started < TIME_LIMIT:
            done = await checked(db)
            if done >= hosts:
                break
            await asyncio.sleep(0.1)
        wall = time.perf_counter() - started
        stop.set()
        await task
        listed = (await runtime.rbl.list_hosts(account, PageRequest()))[1]
        if done < hosts:
            print(f"incomplete: {done} of {hosts} hosts checked within {TIME_LIMIT:g} s")
        print(f"{listed} hosts listed")
        lookups = done * len(ZONES)
        print(
            f"rbl_monitor: {done} hosts x {len(ZONES)} lists in {wall:.2f} s wall, "
            f"{done / wall:.1f} hosts/s, {lookups / wall:.0f} lookups/s"
        )
    finally:
        if schema:
            async with db.transaction() as conn:
                await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="postgresql://… (default: a temporary SQLite file)")
    args = parser.parse_args()
    zones = {zone: ("ip4set", zone_lines(index)) for index, zone in enumerate(ZONES)}
    server = RbldnsdServer(zones)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
            schema = "bench_rbl" if url.startswith("postgres") else None
            uvloop.run(sweep(server, url, schema))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
