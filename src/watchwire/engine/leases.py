"""Leases on scheduled rows: the one claim mechanism of every scheduled resource.

A table is schedulable when it has `sid`, `paused`, `next_run_at`, `lease_owner` and
`lease_expires_at`. A row is due when it is not paused, its `next_run_at` has passed and
nobody holds a live lease on it. Claiming sets the lease; completing (inside the caller's
transaction, with the state change) clears it and moves `next_run_at`, guarded by the owner:

- two workers never hold the same row: PostgreSQL claims with `SELECT … FOR UPDATE SKIP
  LOCKED`; SQLite has one engine process whose transaction bodies never yield to the loop;
- a worker that dies loses its leases when they expire, and another takes the work;
- a worker that overran its lease finds the owner changed, and `complete` tells it to
  discard its result (a job raises `LeaseLost`): nothing is counted twice.

"Check now" takes a row's lease out of turn (`claim_now`) and runs the job's own code on it,
so a check from the API and one from the schedule can never run at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc
from watchwire.store.database import Connection, Database

LeaseFor = Callable[[Any], float]


class LeaseLost(Exception):
    """Another worker holds the row now: the writes of this run are rolled back, discarded."""


def _due(table: sa.Table, now: datetime) -> tuple[Any, ...]:
    return (
        table.c.paused.is_(False),
        table.c.next_run_at <= now,
        sa.or_(table.c.lease_expires_at.is_(None), table.c.lease_expires_at <= now),
    )


async def claim_due(
    db: Database,
    table: sa.Table,
    owner: str,
    now: datetime,
    limit: int,
    lease_for: LeaseFor | float,
    where: tuple[Any, ...] = (),
) -> list[Any]:
    """Claim up to `limit` due rows of `table` for `owner`, earliest due first. `lease_for`
    is the lease length in seconds, or a function of the row giving it; `where` narrows the
    rows claimed."""
    if limit <= 0:
        return []
    query = (
        sa.select(table).where(*_due(table, now), *where).order_by(table.c.next_run_at).limit(limit)
    )
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)

    def seconds(row: Any) -> float:
        return lease_for(row) if callable(lease_for) else float(lease_for)

    async with db.transaction() as conn:
        rows = (await conn.execute(query)).all()
        if not rows:
            return []
        await conn.execute(
            table.update()
            .where(table.c.sid == sa.bindparam("b_sid"))
            .values(lease_owner=owner, lease_expires_at=sa.bindparam("b_expires")),
            [{"b_sid": r.sid, "b_expires": now + timedelta(seconds=seconds(r))} for r in rows],
        )
    return list(rows)


async def claim_now(
    conn: Connection, table: sa.Table, sid: str, owner: str, now: datetime, lease_seconds: float
) -> Any | None:
    """Inside the caller's transaction: lease row `sid` to `owner` at once and make it due
    now ("check now"), unless someone holds a live lease on it. The claimed row, or None."""
    free = sa.or_(table.c.lease_expires_at.is_(None), table.c.lease_expires_at <= now)
    taken = await conn.execute(
        table.update()
        .where(table.c.sid == sid, free)
        .values(
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            next_run_at=now,
        )
    )
    if not taken.rowcount:
        return None
    return (await conn.execute(sa.select(table).where(table.c.sid == sid))).one()


async def complete(
    conn: Connection, table: sa.Table, sid: str, owner: str, next_run_at: datetime, **values: Any
) -> bool:
    """Inside the caller's transaction: end `owner`'s lease on `sid`, schedule it at
    `next_run_at` and set `values`. False when the lease was lost (discard the result)."""
    result = await conn.execute(
        table.update()
        .where(table.c.sid == sid, table.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, next_run_at=next_run_at, **values)
    )
    return bool(result.rowcount)


async def release(db: Database, table: sa.Table, owner: str, sids: list[str] | None = None) -> int:
    """Give back leases (all of `owner`'s, or those of `sids`) so others may run them now."""
    where = [table.c.lease_owner == owner]
    if sids is not None:
        if not sids:
            return 0
        where.append(table.c.sid.in_(sids))
    async with db.transaction() as conn:
        result = await conn.execute(
            table.update().where(*where).values(lease_owner=None, lease_expires_at=None)
        )
    return int(result.rowcount or 0)


async def next_due_at(
    db: Database, table: sa.Table, now: datetime, where: tuple[Any, ...] = ()
) -> datetime | None:
    """When the earliest unpaused, unleased row comes due (for the idle sleep); rows in
    flight are leased and do not count."""
    unleased = sa.or_(table.c.lease_expires_at.is_(None), table.c.lease_expires_at <= now)
    async with db.connect() as conn:
        value: datetime | None = (
            await conn.execute(
                sa.select(sa.func.min(table.c.next_run_at)).where(
                    table.c.paused.is_(False), unleased, *where
                )
            )
        ).scalar_one_or_none()
    return as_utc(value)  # an aggregate: SQLite hands it back without a zone
