"""The agent's work source for the location engine (engine/location_engine.py).

Online, work is leased from the central service in batches. Every check's last known shape
and schedule is kept, so while the central service is away the agent keeps checking what it
knew, each at its interval (anchored to its last due time), and the results wait on disk.
When the central service is back, the batches go out oldest first; the central service
counts each batch once and each location's check once (location_runs.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

from watchwire.agents.buffer import ResultBuffer
from watchwire.agents.client import AgentClient, AgentRefused, CentralUnavailable
from watchwire.clock import Clock
from watchwire.engine.location_runs import LocationResult, Work

log = logging.getLogger(__name__)


class AgentSource:
    def __init__(self, client: AgentClient, buffer: ResultBuffer, clock: Clock) -> None:
        self.client = client
        self.buffer = buffer
        self.clock = clock
        self.online = True
        # Each known check with its next due time on the agent's own schedule.
        self._known: dict[str, Work] = {}
        self.wake = asyncio.Event()
        self.sent = 0

    async def claim(self, limit: int) -> list[Work]:
        try:
            works = await self.client.claim(limit)
        except CentralUnavailable as exc:
            if self.online:
                log.warning("central service unavailable (%s): checking from memory", exc)
            self.online = False
            return self._due_from_memory(limit)
        if not self.online:
            log.info("central service is back")
        self.online = True
        for work in works:
            self._known[work.sid] = replace(work, due=work.due + timedelta(seconds=work.interval))
        return works

    def _due_from_memory(self, limit: int) -> list[Work]:
        now = self.clock.now()
        due: list[Work] = []
        for sid, work in sorted(self._known.items(), key=lambda item: item[1].due):
            if len(due) >= limit or work.due > now:
                break
            due.append(work)
            step = timedelta(seconds=work.interval)
            later = work.due + step
            while later <= now:  # a long outage: the next due time ahead, not a backlog
                later += step
            self._known[sid] = replace(work, due=later)
        return due

    async def submit(self, results: list[LocationResult]) -> None:
        self.buffer.add([r.to_json() for r in results])
        self.wake.set()

    async def seconds_to_next(self) -> float | None:
        if self.online or not self._known:
            return None
        earliest = min(work.due for work in self._known.values())
        return (earliest - self.clock.now()).total_seconds()

    async def stop(self) -> None:
        """Nothing to give back: leases of unfinished checks expire on the central side."""

    async def send_pending(self) -> bool:
        """Send the waiting batches, oldest first; False when the central service is away."""
        for batch in self.buffer.pending():
            try:
                answer = await self.client.push(batch.batch_id, batch.results)
            except CentralUnavailable as exc:
                log.debug("sending batch %s: %s", batch.batch_id, exc)
                return False
            except AgentRefused as exc:
                # Retrying the same batch cannot succeed (a bug or a revoked token): keep it
                # aside for the operator rather than block every batch after it.
                log.error("batch %s refused: %s", batch.batch_id, exc)
                batch.path.rename(batch.path.with_suffix(".refused"))
                self.buffer.done(batch)
                continue
            self.sent += int(answer.get("written", 0))
            self.buffer.done(batch)
        return True
