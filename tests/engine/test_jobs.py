"""The job runner and the lease claims every scheduled resource shares, on SQLite and
PostgreSQL: a job is anything with the `Job` protocol's shape; "check now" claims a row out
of turn only when nobody holds it; a lost lease is discarded, not an error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import FrozenClock, as_utc
from watchwire.engine import leases
from watchwire.engine.jobs import JobRunner
from watchwire.ids import new_sid
from watchwire.store.database import Database
from watchwire.store.tables import accounts
from watchwire.store.tables_domains import domain_batches


async def _batch(db: Database, clock: FrozenClock, *, due_in: float = 0.0) -> str:
    """A schedulable row: a domain batch of an account of its own."""
    now = clock.now()
    account, sid = new_sid("account"), new_sid("batch")
    async with db.transaction() as conn:
        await conn.execute(
            accounts.insert().values(sid=account, name="jobs", plan="business", created_at=now)
        )
        await conn.execute(
            domain_batches.insert().values(
                sid=sid,
                account_sid=account,
                status="pending",
                items=[],
                results=[],
                paused=False,
                next_run_at=now + timedelta(seconds=due_in),
                created_at=now,
            )
        )
    return sid


class Recording:
    """A job that writes down each row it is given and finds its lease taken every time."""

    name = "recording"
    table = domain_batches
    lease_seconds = 60.0
    concurrency = 5

    def __init__(self) -> None:
        self.ran: list[tuple[str, str]] = []

    async def run(self, row: Any, owner: str) -> None:
        self.ran.append((row.sid, owner))
        raise leases.LeaseLost


async def test_check_now_claims_a_free_row_at_once_and_never_a_leased_one(
    database: Database, clock: FrozenClock
) -> None:
    sid = await _batch(database, clock, due_in=3600)
    async with database.transaction() as conn:
        row = await leases.claim_now(conn, domain_batches, sid, "api", clock.now(), 60)
    assert row is not None and row.lease_owner == "api"
    assert as_utc(row.next_run_at) == clock.now()  # made due now, as if its time had come
    async with database.transaction() as conn:
        assert await leases.claim_now(conn, domain_batches, sid, "other", clock.now(), 60) is None
    clock.advance(61)  # the lease ran out (its holder died): anyone may take it
    async with database.transaction() as conn:
        taken = await leases.claim_now(conn, domain_batches, sid, "other", clock.now(), 60)
    assert taken is not None and taken.lease_owner == "other"


async def test_the_runner_runs_due_rows_of_any_job_and_shrugs_off_a_lost_lease(
    database: Database, clock: FrozenClock
) -> None:
    due = await _batch(database, clock)
    await _batch(database, clock, due_in=3600)
    job = Recording()
    runner = JobRunner(database, clock, job, "worker-1")
    assert await runner.run_once() == 1
    assert job.ran == [(due, "worker-1")]
    # The lost run wrote nothing; the lease it held runs out and the row is due again.
    assert await runner.run_once() == 0
    clock.advance(job.lease_seconds + 1)
    assert await runner.run_once() == 1
    async with database.connect() as conn:
        owner = (
            await conn.execute(
                sa.select(domain_batches.c.lease_owner).where(domain_batches.c.sid == due)
            )
        ).scalar_one()
    assert owner == "worker-1"
