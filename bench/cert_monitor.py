"""One full sweep of certificate monitors: N monitors (default 5,000) against a local TLS
server, checked through the real scheduled path (the certificate service's job run by a JobRunner: claim with
leases, tls probe, evaluate, write state/errors/events in one transaction), on SQLite.

Prints the sweep's wall time and rate; the last line is the wall time in seconds.

    .venv/bin/python bench/cert_monitor.py
    .venv/bin/python bench/cert_monitor.py --monitors 500
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.synchronize
import ssl
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import trustme
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import free_port
from watchwire.config import Settings
from watchwire.engine.jobs import JobRunner
from watchwire.ids import new_sid
from watchwire.runtime import Runtime
from watchwire.services.certs.check import CONCURRENCY
from watchwire.store.tables_certs import cert_monitors

DEADLINE = 900.0  # seconds: the sweep gives up after this


def serve_tls(cert: Path, key: Path, ready: multiprocessing.synchronize.Event, port: int) -> None:
    """A TLS listener in its own process (its CPU is not the engine's)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(65536)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = await asyncio.start_server(answer, "127.0.0.1", port, ssl=context, backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    uvloop.run(main())


async def sweep(monitors: int, port: int, ca: Path, workdir: Path) -> float:
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        secret_key="bench",
        allow_private_targets=True,
        ca_file=ca,
    )
    runtime = Runtime.build(settings)
    await runtime.migrate()
    account = await runtime.accounts.create_account("bench", plan="unlimited")
    profile = await runtime.certs.create_profile(account.account_sid, {"name": "bench"})
    now = runtime.clock.now()
    rows = [
        {
            "sid": new_sid("cert_monitor"),
            "account_sid": account.account_sid,
            "name": f"bench {i}",
            "hostname": "127.0.0.1",
            "protocol": "https",
            "port": port,
            "profile_sid": profile.sid,
            "contact_groups": [],
            "tags": [],
            "interval_seconds": 21_600,
            "paused": False,
            "errors": [],
            "next_run_at": now - timedelta(seconds=1),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(monitors)
    ]
    async with runtime.db.transaction() as conn:
        await conn.execute(cert_monitors.insert(), rows)

    stop = asyncio.Event()
    runner = JobRunner(runtime.db, runtime.clock, runtime.certs.job, "bench-worker")
    started = time.perf_counter()
    task = asyncio.create_task(runner.run(stop))
    checked = 0
    while time.perf_counter() - started < DEADLINE:
        await asyncio.sleep(0.25)
        async with runtime.db.connect() as conn:
            checked = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(cert_monitors)
                    .where(cert_monitors.c.last_checked_at.is_not(None))
                )
            ).scalar_one()
        if checked >= monitors:
            break
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    await runtime.close()
    if checked < monitors:
        raise SystemExit(f"only {checked} of {monitors} checked within {DEADLINE:.0f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-cert-") as directory:
        workdir = Path(directory)
        ca = trustme.CA()
        leaf = ca.issue_cert("localhost", "127.0.0.1")
        cert, key, root = workdir / "cert.pem", workdir / "key.pem", workdir / "ca.pem"
        leaf.private_key_and_cert_chain_pem.write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        ca.cert_pem.write_to_path(str(root))
        port = free_port()
        ready = multiprocessing.Event()
        server = multiprocessing.Process(
            target=serve_tls, args=(cert, key, ready, port), daemon=True
        )
        server.start()
        try:
            if not ready.wait(60):
                raise SystemExit("the TLS server did not start")
            elapsed = uvloop.run(sweep(args.monitors, port, root, workdir))
        finally:
            server.terminate()
            server.join(10)
    print(f"monitors: {args.monitors}, concurrency per worker: {CONCURRENCY}")
    print(f"checks/s: {args.monitors / elapsed:.1f}")
    print(f"full sweep of {args.monitors} certificate monitors: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
