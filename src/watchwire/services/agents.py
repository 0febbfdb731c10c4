"""What agents ask of the central service (decision 0032): heartbeats, due work in batches,
results in batches. An agent is known by its location's token (services/locations.py) and
names its own process (`instance`); its claims are leased to `agent:<code>:<instance>`.

Every call counts as a sign of life of the instance: the agent watch
(engine/agent_watch.py) sends `agent.timeout` when every instance has been silent past the
location's timeout, and `agent.timeout.resolve` when one is back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.engine import location_runs
from watchwire.engine.location_runs import LocationResult, Work, Written
from watchwire.errors import ValidationError
from watchwire.store.database import Database
from watchwire.store.tables_locations import agent_instances, locations

MAX_CLAIM = 1000
MAX_RESULTS = 2000


@dataclass(frozen=True, slots=True)
class Heartbeat:
    location: str
    timeout_minutes: int


def owner_of(location: str, instance: str) -> str:
    return f"agent:{location}:{instance}"


class AgentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def heartbeat(
        self, location: str, instance: str, version: str, *, started: bool = False
    ) -> Heartbeat:
        """Record that `instance` of `location`'s agent is alive; `started`: it has just
        started, so what was leased to it before is given back for it to claim again."""
        if started:
            await location_runs.release(self.db, location, owner_of(location, instance))
        now = self.clock.now()
        async with self.db.transaction() as conn:
            seen = await conn.execute(
                agent_instances.update()
                .where(
                    agent_instances.c.location == location,
                    agent_instances.c.instance == instance,
                )
                .values(last_seen_at=now, **({"version": version} if version else {}))
            )
            if not seen.rowcount:
                await conn.execute(
                    agent_instances.insert().values(
                        location=location,
                        instance=instance,
                        version=version,
                        first_seen_at=now,
                        last_seen_at=now,
                        timed_out=False,
                    )
                )
            await conn.execute(
                locations.update().where(locations.c.code == location).values(last_seen_at=now)
            )
            timeout = (
                await conn.execute(
                    sa.select(locations.c.timeout_minutes).where(locations.c.code == location)
                )
            ).scalar_one()
        return Heartbeat(location, int(timeout))

    async def claim(self, location: str, instance: str, limit: int) -> list[Work]:
        if not 0 <= limit <= MAX_CLAIM:
            raise ValidationError.field(
                "limit", "range", f"limit must be between 0 and {MAX_CLAIM}"
            )
        return await location_runs.claim(
            self.db, location, owner_of(location, instance), self.clock.now(), limit
        )

    async def record(
        self, location: str, instance: str, batch_id: str, results: Sequence[LocationResult]
    ) -> Written:
        if len(results) > MAX_RESULTS:
            raise ValidationError.field(
                "results", "too_many", f"at most {MAX_RESULTS} results per batch"
            )
        return await location_runs.record(
            self.db,
            location,
            owner_of(location, instance),
            results,
            now=self.clock.now(),
            batch_id=f"{location}:{batch_id}",
        )
