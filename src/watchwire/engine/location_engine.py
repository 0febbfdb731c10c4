"""The loop that runs one location's checks (decision 0032): claim due work from a source,
run it with bounded concurrency, hand results back in batches, drain on stop.

The source is where the work comes from and the results go: the database itself
(`DatabaseSource`: the server's own location, `worker --location CODE`), or the central
service over HTTP with a disk buffer (`watchwire agent`, agents/source.py). The loop is the
same, so a check from an agent is the check the server would run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Protocol

from watchwire.clock import Clock
from watchwire.engine import location_runs
from watchwire.engine.batching import take_batch
from watchwire.engine.checks import run_check
from watchwire.engine.kinds.base import CheckResult, CheckSpec
from watchwire.engine.location_runs import LocationResult, Work
from watchwire.errors import UnavailableError
from watchwire.probes.base import ProbeContext
from watchwire.store.database import Database

log = logging.getLogger(__name__)

IDLE_SLEEP = 1.0


class WorkSource(Protocol):
    async def claim(self, limit: int) -> list[Work]:
        """Due work, leased to this process (empty when nothing is due)."""
        ...

    async def submit(self, results: list[LocationResult]) -> None:
        """Hand finished checks on; returns once they are safe (written or buffered)."""
        ...

    async def seconds_to_next(self) -> float | None:
        """Seconds until the next check is due, if known (for the idle sleep)."""
        ...

    async def stop(self) -> None:
        """Give back what was claimed and not finished."""
        ...


@dataclass
class LocationEngineConfig:
    concurrency: int = 200
    batch_size: int = 500
    batch_wait: float = 0.2
    grace: float = 3.0


class DatabaseSource:
    """A location's work straight from the shared database."""

    def __init__(self, db: Database, clock: Clock, location: str, owner: str) -> None:
        self.db = db
        self.clock = clock
        self.location = location
        self.owner = owner

    async def claim(self, limit: int) -> list[Work]:
        return await location_runs.claim(
            self.db, self.location, self.owner, self.clock.now(), limit
        )

    async def submit(self, results: list[LocationResult]) -> None:
        delay = 0.2
        while True:
            try:
                await location_runs.record(
                    self.db, self.location, self.owner, results, now=self.clock.now()
                )
                return
            except UnavailableError:
                log.warning("database unavailable: %d results wait to be written", len(results))
                await asyncio.sleep(delay)
                delay = min(2 * delay, 5.0)

    async def seconds_to_next(self) -> float | None:
        due = await location_runs.next_due_at(self.db, self.location, self.clock.now())
        return None if due is None else (due - self.clock.now()).total_seconds()

    async def stop(self) -> None:
        await location_runs.release(self.db, self.location, self.owner)


class LocationEngine:
    """Runs the checks a source hands out, as the module docstring says."""

    def __init__(
        self,
        source: WorkSource,
        ctx: ProbeContext,
        clock: Clock,
        config: LocationEngineConfig | None = None,
    ) -> None:
        self.source = source
        self.ctx = ctx
        self.clock = clock
        self.config = config or LocationEngineConfig()
        self._finished: asyncio.Queue[LocationResult] = asyncio.Queue()
        self._running: dict[str, asyncio.Task[None]] = {}
        self.checks_run = 0

    async def check(self, work: Work) -> LocationResult:
        started = self.clock.now()
        spec = CheckSpec(work.kind, work.target, work.options, work.timeout, work.expect)
        try:
            result = await run_check(spec, self.ctx)
        except Exception as exc:  # a probe bug must not take the loop down
            log.exception("check of %s failed unexpectedly", work.sid)
            result = CheckResult(
                False, None, f"internal error: {type(exc).__name__}", status="error"
            )
        return LocationResult(work.sid, work.due, started, self.clock.now(), result)

    async def run_once(self) -> int:
        """Claim what is due, run it, hand it on: one round (tests)."""
        works = await self.source.claim(self.config.concurrency)
        results = await asyncio.gather(*(self.check(w) for w in works))
        if results:
            await self.source.submit(list(results))
        return len(results)

    async def _run_one(self, work: Work, semaphore: asyncio.Semaphore) -> None:
        try:
            async with semaphore:
                self._finished.put_nowait(await self.check(work))
        finally:
            self._running.pop(work.sid, None)

    async def _writer(self, stop: asyncio.Event) -> None:
        while not (stop.is_set() and not self._running and self._finished.empty()):
            batch = await take_batch(self._finished, self.config.batch_size, self.config.batch_wait)
            if batch:
                try:
                    await self.source.submit(batch)
                    self.checks_run += len(batch)
                except Exception:
                    log.exception("handing on %d results failed", len(batch))

    async def run(self, stop: asyncio.Event) -> None:
        semaphore = asyncio.Semaphore(self.config.concurrency)
        writer = asyncio.create_task(self._writer(stop))
        try:
            while not stop.is_set():
                free = self.config.concurrency - len(self._running)
                try:
                    works = await self.source.claim(free)
                except Exception:
                    log.exception("claiming work failed; retrying")
                    works = []
                for work in works:
                    if work.sid not in self._running:
                        self._running[work.sid] = asyncio.create_task(
                            self._run_one(work, semaphore)
                        )
                if len(works) < free:
                    await self._idle(stop)
                elif not works:
                    await asyncio.sleep(0.05)
        finally:
            await self._drain(writer)

    async def _idle(self, stop: asyncio.Event) -> None:
        try:
            wait = await self.source.seconds_to_next()
        except Exception:
            wait = None
        wait = IDLE_SLEEP if wait is None else min(IDLE_SLEEP, max(0.01, wait))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stop.wait()

    async def _drain(self, writer: asyncio.Task[None]) -> None:
        running = list(self._running.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=self.config.grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.config.grace + 5):
                await writer
        with contextlib.suppress(Exception):
            await self.source.stop()
