"""Scheduled jobs other than uptime monitors: certificate monitors, monitored domains,
blocklist hosts, domain expiry. Each is a table with lease columns (engine/leases.py) and an
object that runs one claimed row: the `Job` protocol below. The jobs themselves live beside
their services (services/certs, services/domains, services/rbl); the engine only runs them.

    1. For each job, claim up to its free concurrency of due rows.
    2. Run each row as a task, at most `concurrency` at once. The job's `run` does the check
       and, in one transaction, writes the state change, its events and
       `leases.complete(...)`; a job whose lease was lost raises `leases.LeaseLost`.
    3. When nothing is due, sleep until the earliest due time (at most a second).
    4. On stop: claim nothing more, give running rows a grace period, release the rest.

The one list of them is `Runtime.jobs` (watchwire/runtime.py); watchwire/background.py runs
them in `serve` and `worker` next to the uptime engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from watchwire import logs, telemetry
from watchwire.clock import Clock, as_utc
from watchwire.engine import leases
from watchwire.store.database import Database

log = logging.getLogger(__name__)

IDLE_SLEEP = 1.0
GRACE = 3.0  # seconds running rows get on stop (WATCHWIRE_STOP_GRACE_SECONDS)


class Job(Protocol):
    """One kind of scheduled row, as the engine runs it."""

    @property
    def name(self) -> str: ...

    @property
    def table(self) -> sa.Table:
        """The schedulable table (the columns engine/leases.py names)."""

    @property
    def lease_seconds(self) -> float:
        """How long a claim lasts: longer than one row's run, or another worker takes it."""

    @property
    def concurrency(self) -> int:
        """Rows of this job in flight per worker."""

    async def run(self, row: Any, owner: str) -> None:
        """Run one claimed row and complete its lease (in the transaction of its result);
        raise leases.LeaseLost when the lease was taken meanwhile."""


class JobRunner:
    """One worker's loop over one job."""

    def __init__(
        self, db: Database, clock: Clock, job: Job, owner: str, grace: float = GRACE
    ) -> None:
        self.db = db
        self.clock = clock
        self.job = job
        self.owner = owner
        self.grace = grace
        self._running: set[asyncio.Task[None]] = set()

    async def run_once(self) -> int:
        """Claim what is due now and run it all (tests, `check now`)."""
        rows = await self._claim(self.job.concurrency)
        await asyncio.gather(*(self._run_row(row) for row in rows))
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                free = self.job.concurrency - len(self._running)
                rows = await self._claim(free)
                for row in rows:
                    task = asyncio.create_task(self._run_row(row))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
                if len(rows) < free:
                    await self._idle(stop)
                elif not rows:
                    await asyncio.sleep(0.05)
        finally:
            await self._drain()

    async def _claim(self, limit: int) -> list[Any]:
        try:
            return await leases.claim_due(
                self.db,
                self.job.table,
                self.owner,
                self.clock.now(),
                limit,
                self.job.lease_seconds,
            )
        except Exception:
            log.exception("claiming due %s failed; retrying", self.job.name)
            return []

    async def _run_row(self, row: Any) -> None:
        due = as_utc(row.next_run_at)
        late = max(0.0, (self.clock.now() - due).total_seconds()) if due is not None else 0.0
        began = time.perf_counter()
        outcome = "done"
        with logs.bound(logs.CHECK_ID, row.sid):
            try:
                await self.job.run(row, self.owner)
            except leases.LeaseLost:
                outcome = "lease_lost"
                log.info("%s %s: lease lost, result discarded", self.job.name, row.sid)
            except Exception:
                # The lease stays; the row runs again once it expires.
                outcome = "error"
                log.exception("%s %s failed unexpectedly", self.job.name, row.sid)
        telemetry.job_ran(self.job.name, outcome, time.perf_counter() - began, late)

    async def _idle(self, stop: asyncio.Event) -> None:
        wait = IDLE_SLEEP
        with contextlib.suppress(Exception):
            due = await leases.next_due_at(self.db, self.job.table, self.clock.now())
            if due is not None:
                wait = min(IDLE_SLEEP, max(0.01, (due - self.clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stop.wait()

    async def _drain(self) -> None:
        if self._running:
            _, pending = await asyncio.wait(self._running, timeout=self.grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(Exception):
            await leases.release(self.db, self.job.table, self.owner)


async def run_jobs(
    db: Database,
    clock: Clock,
    jobs: Sequence[Job],
    owner: str,
    stop: asyncio.Event,
    grace: float = GRACE,
) -> None:
    """Run every job until `stop` is set; running rows get `grace` seconds to finish."""
    await asyncio.gather(*(JobRunner(db, clock, job, owner, grace).run(stop) for job in jobs))
