"""Record checks of monitored domains per second: N domains with 3 expected records each
(a CNAME, an A and a TXT, one of them changed so events are written too) on a local knotd,
checked by the `domain records` job in one process on SQLite. Bounded by --max-seconds.

    .venv/bin/python bench/domain_checks.py --domains 2000

Prints the figure on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from tests.servers.dns_servers import KnotServer, Zone  # noqa: E402

from watchwire.clock import FrozenClock  # noqa: E402
from watchwire.config import Settings  # noqa: E402
from watchwire.engine.jobs import JobRunner  # noqa: E402
from watchwire.probes.base import ProbeContext  # noqa: E402
from watchwire.runtime import Runtime  # noqa: E402
from watchwire.store.tables import events as events_table  # noqa: E402
from watchwire.target_policy import TargetPolicy  # noqa: E402


def zone_records(count: int) -> str:
    lines = []
    for i in range(count):
        lines.append(f"www.d{i} CNAME app.example.net.")
        lines.append(f"api.d{i} A 192.0.2.{i % 250 + 1}")
        # Every tenth TXT differs from the expectation, so missing events are written too.
        lines.append(f'verify.d{i} TXT "token-{i}{"-old" if i % 10 == 0 else ""}"')
    return "\n".join(lines) + "\n"


async def bench(domains: int, max_seconds: float, workdir: Path) -> tuple[int, float, int]:
    knot = KnotServer(workdir / "knot").start([Zone("bench.test.", zone_records(domains))])
    clock = FrozenClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        secret_key="bench",
        bootstrap_account=False,
    )
    runtime = Runtime.build(settings, clock=clock)
    try:
        await runtime.migrate()
        runtime.domains.records_job.probe_ctx = ProbeContext(
            policy=TargetPolicy(allow_private=True), resolver=knot.address, clock=clock
        )
        account = await runtime.accounts.create_account("bench", plan="unlimited")
        for i in range(domains):
            records = [
                {"type": "CNAME", "host": "www", "value": "app.example.net"},
                {"type": "A", "host": "api", "value": f"192.0.2.{i % 250 + 1}"},
                {"type": "TXT", "host": "verify", "value": f"token-{i}"},
            ]
            await runtime.domains.create(
                account.account_sid, {"domain": f"d{i}.bench.test", "records": records}
            )
        clock.advance(11)
        runner = JobRunner(runtime.db, runtime.clock, runtime.domains.records_job, "bench")
        started = time.perf_counter()
        checked = 0
        while checked < domains and time.perf_counter() - started < max_seconds:
            done = await runner.run_once()
            if not done:
                break
            checked += done
        elapsed = time.perf_counter() - started
        async with runtime.db.connect() as conn:
            events = (
                await conn.execute(sa.select(sa.func.count()).select_from(events_table))
            ).scalar_one()
        return checked, elapsed, int(events)
    finally:
        await runtime.close()
        knot.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        checked, elapsed, events = asyncio.run(bench(args.domains, args.max_seconds, Path(tmp)))
    print(f"checked {checked} domains (3 records each) in {elapsed:.1f} s; events seen: {events}")
    print(f"domain record checks/s: {checked / elapsed:.1f}")


if __name__ == "__main__":
    main()
