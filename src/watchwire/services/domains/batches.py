"""Batch creation of monitored domains (Entri 002's batch endpoint): the request is stored
as a `domain_batches` row and its domains are created by the `domain batches` job, in order,
a chunk per transaction, so a batch interrupted by a restart continues where it stopped. Each
item is checked for shape when the batch is accepted (services/domains/service.py) and for
conflicts when it is created here (reported per domain in the batch's status)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from watchwire.clock import Clock
from watchwire.engine import leases
from watchwire.errors import WatchwireError
from watchwire.services.domains.fields import DomainIn, validate
from watchwire.services.domains.queries import insert_domain
from watchwire.store.database import Database
from watchwire.store.tables_domains import domain_batches

LEASE_SECONDS = 300.0
CHUNK = 25


class DomainBatchJob:
    """The job that creates the domains of accepted batches (engine/jobs.py's `Job`)."""

    name = "domain batches"
    table = domain_batches
    lease_seconds = LEASE_SECONDS
    concurrency = 2

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def run(self, row: Any, owner: str) -> None:
        """Create the claimed batch's remaining domains; LeaseLost (this chunk undone) when
        another worker took the batch over."""
        items = list(row.items)
        results = list(row.results)
        while len(results) < len(items):
            now = self.clock.now()
            chunk = items[len(results) : len(results) + CHUNK]
            async with self.db.transaction() as conn:
                for item in chunk:
                    name = str(item.get("domain", "")) if isinstance(item, dict) else ""
                    try:
                        fields = validate(DomainIn, item)
                        # insert_domain checks everything before its first write, so a
                        # refused item leaves nothing behind in the shared transaction.
                        sid = await insert_domain(conn, row.account_sid, fields, now)
                        results.append({"domain": fields.domain, "status": "created", "sid": sid})
                    except WatchwireError as exc:
                        results.append({"domain": name, "status": "failed", "error": exc.message})
                finished = len(results) >= len(items)
                status = "processing"
                if finished:
                    status = (
                        "failed" if all(r["status"] == "failed" for r in results) else "completed"
                    )
                lease_left = now + timedelta(seconds=LEASE_SECONDS)
                kept = await conn.execute(
                    domain_batches.update()
                    .where(domain_batches.c.sid == row.sid, domain_batches.c.lease_owner == owner)
                    .values(
                        results=results,
                        status=status,
                        paused=finished,
                        completed_at=now if finished else None,
                        lease_owner=None if finished else owner,
                        lease_expires_at=None if finished else lease_left,
                    )
                )
                if not kept.rowcount:
                    # Another worker took the batch over: undo this chunk, leave it to them.
                    raise leases.LeaseLost
            if finished:
                return
