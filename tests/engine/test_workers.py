"""Two real `watchwire worker` processes on one PostgreSQL: every monitor is checked on
schedule, none twice within its interval, and a worker killed mid-work is replaced."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa

from tests.servers.engine_targets import SwitchableSite, site
from tests.storage import POSTGRES_URL
from watchwire.ids import new_sid
from watchwire.store.database import Database
from watchwire.store.migrate import upgrade
from watchwire.store.tables import accounts
from watchwire.store.tables_engine import monitor_results, monitors

__all__ = ["site"]

INTERVAL = 3  # seconds: below the API's minimum, written straight to the table for speed
MONITORS = 40
WATCHWIRE = Path(sys.executable).with_name("watchwire")


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    """A database of its own (workers are separate processes: no per-test schema)."""
    name = "ww_engine_" + secrets.token_hex(4)
    base, _, _ = POSTGRES_URL.rpartition("/")
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _seed(url: str, target: str) -> None:
    db = Database(url)
    await upgrade(db)
    now = datetime.now(UTC)
    account = new_sid("account")
    rows: list[dict[str, Any]] = [
        {
            "sid": new_sid("monitor"),
            "account_sid": account,
            "name": f"m{i}",
            "kind": "http",
            "target": target,
            "options": {},
            "interval_seconds": INTERVAL,
            "timeout_seconds": 2.0,
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
            "next_run_at": now + timedelta(seconds=2 + i * INTERVAL / MONITORS),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(MONITORS)
    ]
    async with db.transaction() as conn:
        await conn.execute(
            accounts.insert().values(sid=account, name="load", plan="business", created_at=now)
        )
        await conn.execute(monitors.insert(), rows)
    await db.close()


async def _wait_for_results_from(url: str, location: str, *, timeout: float) -> None:
    db = Database(url)
    query = sa.select(sa.func.count()).where(monitor_results.c.location == location)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with db.connect() as conn:
                    if (await conn.execute(query)).scalar_one():
                        return
                await asyncio.sleep(0.2)
    finally:
        await db.close()


def _start(url: str, location: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WATCHWIRE_DATABASE_URL": url,
        "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
        "WATCHWIRE_SECRET_KEY": "test",
        "WATCHWIRE_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [str(WATCHWIRE), "worker", "--concurrency", "16", "--location", location],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def test_two_workers_never_run_a_monitor_twice_in_an_interval(
    fresh_postgres: str, site: SwitchableSite
) -> None:
    await _seed(fresh_postgres, site.url)
    workers = {"a": _start(fresh_postgres, "a"), "b": _start(fresh_postgres, "b")}
    try:
        for location in ("a", "b"):
            await _wait_for_results_from(fresh_postgres, location, timeout=30)
        await asyncio.sleep(3)
        workers["a"].send_signal(signal.SIGKILL)  # dies mid-work, leases and all
        workers["c"] = _start(fresh_postgres, "c")
        # A loaded machine can take seconds to start a process: the replacement's first
        # results, not a fixed sleep, show it has taken over.
        await _wait_for_results_from(fresh_postgres, "c", timeout=30)
        await asyncio.sleep(4)
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in workers.items():
            try:
                code = await asyncio.wait_for(asyncio.to_thread(process.wait), 30)
            except TimeoutError:
                process.kill()
                raise
            if name != "a":
                stderr = process.stderr.read().decode() if process.stderr else ""
                assert code == 0, stderr

    db = Database(fresh_postgres)
    async with db.connect() as conn:
        results = (
            await conn.execute(
                sa.select(
                    monitor_results.c.monitor_sid,
                    monitor_results.c.checked_at,
                    monitor_results.c.lateness_ms,
                    monitor_results.c.location,
                )
            )
        ).all()
        leased = {
            row.sid: row.lease_owner
            for row in (await conn.execute(sa.select(monitors.c.sid, monitors.c.lease_owner)))
        }
    await db.close()

    # The due time each check ran for: its recorded time less its lateness (up to a batch
    # write's delay after the start). Due times are an interval apart (or more, after a
    # backlog), so two runs of one due slot — what must never happen — show as a gap near
    # zero, however late each ran; half an interval separates the two cases with room.
    by_monitor: dict[str, list[datetime]] = defaultdict(list)
    for row in results:
        by_monitor[row.monitor_sid].append(row.checked_at - timedelta(milliseconds=row.lateness_ms))
    gaps = [
        (later - earlier).total_seconds()
        for times in by_monitor.values()
        for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    assert min(gaps) >= INTERVAL / 2, sorted(gaps)[:5]
    assert {row.location for row in results} == {"a", "b", "c"}
    # Every monitor the killed worker was not holding kept its schedule across the kill.
    held_by_dead = {sid for sid, owner in leased.items() if owner and ":a:" in owner}
    for sid in set(leased) - held_by_dead:
        assert len(by_monitor[sid]) >= 3, (sid, by_monitor[sid])
    # Graceful SIGTERM released everything the survivors held.
    assert all(owner is None or ":a:" in owner for owner in leased.values())
