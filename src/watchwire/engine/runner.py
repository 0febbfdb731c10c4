"""The engine loop: claim due monitors, run their checks with bounded concurrency, write
results in batches, and stop gracefully.

    1. Claim up to the free concurrency of due monitors (leases; see scheduler.py).
    2. Run each check as a task under a semaphore; the certificate and domain watches ride along.
    3. A writer drains finished checks and writes them a batch per transaction
       (recorder.py): per-check database work stays a few row operations. While the
       database is unavailable it keeps the batch and tries again.
    4. When nothing is due, sleep until the earliest due time (at most a second).
    5. On stop (SIGTERM): claim nothing more, let running checks finish for a grace period,
       write them, and release the leases of any that did not finish.

`watchwire serve` runs this next to the API in one process (SQLite); `watchwire worker`
runs only this, any number of them against one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchwire import logs, telemetry
from watchwire.clock import Clock, as_utc
from watchwire.engine import domain_watch, ssl_watch
from watchwire.engine.batching import take_batch
from watchwire.engine.checks import run_check
from watchwire.engine.kinds import get_kind
from watchwire.engine.kinds.base import CheckResult, CheckSpec
from watchwire.engine.recorder import BatchOutcome, Finished, record_batch
from watchwire.engine.scheduler import claim_due, next_due_at, release
from watchwire.errors import UnavailableError
from watchwire.probes.base import ProbeContext
from watchwire.store.database import Database

log = logging.getLogger(__name__)

IDLE_SLEEP = 1.0
READ_WHEN_WRITTEN = CheckResult(False, None, "read when written")


@dataclass
class EngineConfig:
    concurrency: int = 500
    location: str = "local"
    batch_size: int = 500
    # Seconds the writer waits to fill a batch: short, since it bounds result latency.
    batch_wait: float = 0.2
    grace: float = 3.0
    # The domain watch (domain_watch.py): an installed RDAP bootstrap file (None: the
    # shipped one) and the thresholds of `domain.expiring`.
    rdap_bootstrap: Path | None = None
    domain_expiry_days: tuple[int, ...] = (30, 14, 7, 1)


def worker_id(location: str) -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{location[:16]}:{secrets.token_hex(3)}"


class Engine:
    """One worker's share of the monitoring: claims, runs and records checks."""

    def __init__(
        self,
        db: Database,
        ctx: ProbeContext,
        clock: Clock,
        config: EngineConfig | None = None,
        *,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.ctx = ctx
        self.clock = clock
        self.config = config or EngineConfig()
        self.owner = owner or worker_id(self.config.location)
        self._finished: asyncio.Queue[Finished] = asyncio.Queue()
        self._running: dict[str, asyncio.Task[None]] = {}
        self.checks_run = 0
        self.discarded = 0

    async def check(self, row: Any) -> Finished:
        """Run one claimed monitor's check (and its certificate watch when due); what it
        logs carries the monitor's SID as `check_id`."""
        with logs.bound(logs.CHECK_ID, row.sid):
            return await self._check(row)

    async def _check(self, row: Any) -> Finished:
        started = self.clock.now()
        if get_kind(row.kind).read_row is not None:
            # Nothing to run (heartbeats): the kind reads the row when the result is
            # written, as it is then, so a ping that arrives meanwhile is not lost.
            return Finished(row, started, READ_WHEN_WRITTEN)
        spec = CheckSpec(
            row.kind, row.target, dict(row.options), row.timeout_seconds, tuple(row.expect)
        )
        began = time.perf_counter()
        try:
            result = await run_check(spec, self.ctx)
        except Exception as exc:  # a probe bug must not take the engine down
            log.exception("check of %s failed unexpectedly", row.sid)
            result = CheckResult(
                False, None, f"internal error: {type(exc).__name__}", status="error"
            )
        due = as_utc(row.next_run_at)
        telemetry.check_ran(
            row.kind,
            telemetry.check_outcome(result.ok, result.status),
            time.perf_counter() - began,
            max(0.0, (started - due).total_seconds()) if due is not None else 0.0,
        )
        certificate = None
        ssl_checked = False
        checked_at = row.ssl_checked_at and as_utc(row.ssl_checked_at)
        if ssl_watch.watched(row.kind, row.target) and ssl_watch.due(checked_at, started):
            ssl_checked = True
            with contextlib.suppress(Exception):
                certificate = await ssl_watch.read_certificate(
                    row.kind, row.target, dict(row.options), self.ctx, row.timeout_seconds
                )
        domain = None
        name = domain_watch.domain_of(row.kind, row.target)
        if name is not None and domain_watch.due(row, started):
            with contextlib.suppress(Exception):
                domain = await domain_watch.read_domain(name, self.ctx, self.config.rdap_bootstrap)
        return Finished(row, started, result, ssl_checked, certificate, domain=domain)

    async def record(self, batch: list[Finished]) -> BatchOutcome:
        outcome = await record_batch(
            self.db,
            self.owner,
            batch,
            now=self.clock.now(),
            location=self.config.location,
            domain_thresholds=list(self.config.domain_expiry_days),
        )
        self.checks_run += outcome.written
        self.discarded += outcome.discarded
        telemetry.results_discarded(outcome.discarded)
        return outcome

    async def run_once(self) -> BatchOutcome:
        """Claim what is due now, run it all, write it: one synchronous round (tests, CLI)."""
        rows = await claim_due(self.db, self.owner, self.clock.now(), self.config.concurrency)
        finished = await asyncio.gather(*(self.check(row) for row in rows))
        return await self.record(list(finished))

    async def _run_one(self, row: Any, semaphore: asyncio.Semaphore) -> None:
        try:
            async with semaphore:
                self._finished.put_nowait(await self.check(row))
        finally:
            self._running.pop(row.sid, None)

    async def _writer(self, stop: asyncio.Event) -> None:
        while not (stop.is_set() and not self._running and self._finished.empty()):
            batch = await take_batch(self._finished, self.config.batch_size, self.config.batch_wait)
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[Finished]) -> None:
        """Write `batch`; while the database is unavailable (restarting, disk full), keep it
        and try again: the leases are still ours, so no check's result is lost."""
        delay = 0.2
        while True:
            try:
                await self.record(batch)
                return
            except UnavailableError:
                log.warning("database unavailable: %d results wait to be written", len(batch))
                await asyncio.sleep(delay)
                delay = min(2 * delay, 5.0)
            except Exception:
                # The leases stay; the checks run again once they expire.
                log.exception("writing %d results failed", len(batch))
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then drain as the module docstring says."""
        semaphore = asyncio.Semaphore(self.config.concurrency)
        writer = asyncio.create_task(self._writer(stop))
        log.info("engine %s started (concurrency %d)", self.owner, self.config.concurrency)
        try:
            while not stop.is_set():
                free = self.config.concurrency - len(self._running)
                rows = await self._claim(free)
                for row in rows:
                    self._running[row.sid] = asyncio.create_task(self._run_one(row, semaphore))
                if len(rows) < free:
                    await self._idle(stop)
                elif not rows:
                    await asyncio.sleep(0.05)  # every slot busy: wait for some to finish
        finally:
            await self._drain(writer, stop)

    async def _claim(self, free: int) -> list[Any]:
        try:
            return await claim_due(self.db, self.owner, self.clock.now(), free)
        except Exception:
            log.exception("claiming due monitors failed; retrying")
            return []

    async def _idle(self, stop: asyncio.Event) -> None:
        try:
            due = await next_due_at(self.db, self.clock.now())
        except Exception:
            due = None
        wait = IDLE_SLEEP
        if due is not None:
            wait = min(IDLE_SLEEP, max(0.01, (due - self.clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stop.wait()

    async def _drain(self, writer: asyncio.Task[None], stop: asyncio.Event) -> None:
        stop.set()
        running = list(self._running.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=self.config.grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.config.grace):
                await writer
        # Whatever is still leased to us did not finish: let another worker run it now.
        with contextlib.suppress(Exception):
            released = await release(self.db, self.owner)
            if released:
                log.info("released %d unfinished checks", released)
        log.info("engine %s stopped after %d checks", self.owner, self.checks_run)
