"""Claiming due deliveries with leases, and writing an attempt's outcome.

A delivery is due when it is `pending` or `retrying`, its `next_attempt_at` has passed and
nobody holds a live lease on it. A claim sets `lease_owner` and `lease_expires_at`; the
outcome write clears them in one statement guarded by the owner, so:

- two workers never hold the same delivery: PostgreSQL claims with `FOR UPDATE SKIP LOCKED`
  (another worker skips rows being claimed instead of waiting); on SQLite a transaction body
  never yields to the event loop, so select-then-update is atomic;
- a worker killed at any point, even mid-request, loses its leases when they expire and the
  row is claimed again: nothing is lost (the receiver may see the event twice, and drops the
  duplicate by its `webhook-id`);
- a worker that overran its lease finds the owner changed and drops its outcome.

At most `per_target` rows of one target are claimed at a time, so a backlog for one slow
endpoint never fills a claim that other endpoints are waiting for.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc
from watchwire.delivery.callbacks import load_targets
from watchwire.events.event import Event
from watchwire.store.database import Database
from watchwire.store.tables import events
from watchwire.store.tables_contacts import contacts
from watchwire.store.tables_webhooks import deliveries, webhook_subscriptions

OPEN = ("pending", "retrying")
# A claim looks at this many times its size of the earliest due rows, then keeps at most
# `per_target` per target: bounded work per claim, however long the backlog.
SCAN_FACTOR = 4


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed delivery with everything needed to attempt it. `target` is the subscription
    or contact row (None when it was deleted)."""

    sid: str
    target_type: str
    target_sid: str
    attempts: int
    event: Event
    target: Any


def _due(now: datetime) -> tuple[Any, ...]:
    return (
        deliveries.c.status.in_(OPEN),
        deliveries.c.next_attempt_at <= now,
        sa.or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at <= now),
    )


def _candidates(now: datetime, limit: int, per_target: int, busy: Collection[str]) -> Any:
    scan = (
        sa.select(deliveries.c.sid, deliveries.c.target_sid, deliveries.c.next_attempt_at)
        .where(*_due(now))
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit * SCAN_FACTOR)
    )
    if busy:
        scan = scan.where(deliveries.c.target_sid.not_in(list(busy)))
    scanned = scan.subquery()
    rank = (
        sa.func.row_number()
        .over(partition_by=scanned.c.target_sid, order_by=scanned.c.next_attempt_at)
        .label("rank")
    )
    ranked = sa.select(scanned.c.sid, scanned.c.next_attempt_at, rank).subquery()
    return (
        sa.select(ranked.c.sid)
        .where(ranked.c.rank <= per_target)
        .order_by(ranked.c.next_attempt_at)
        .limit(limit)
    )


def _event(row: Any) -> Event:
    return Event(
        sid=row.sid,
        account_sid=row.account_sid,
        type=row.type,
        description=row.description,
        payload=row.payload,
        created_at=as_utc(row.created_at),
        resource_type=row.resource_type,
        resource_sid=row.resource_sid,
        contact_groups=list(row.contact_groups or []),
    )


async def claim_due(
    db: Database,
    owner: str,
    now: datetime,
    *,
    limit: int,
    lease_seconds: float,
    per_target: int,
    busy: Collection[str] = (),
) -> list[Claim]:
    """Claim up to `limit` due deliveries for `owner`, skipping the targets in `busy`."""
    if limit <= 0:
        return []
    async with db.transaction() as conn:
        query = sa.select(deliveries).where(
            deliveries.c.sid.in_(_candidates(now, limit, per_target, busy)), *_due(now)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list((await conn.execute(query)).all())
        if not rows:
            return []
        sids = [r.sid for r in rows]
        await conn.execute(
            deliveries.update()
            .where(deliveries.c.sid.in_(sids))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
        event_rows = (
            await conn.execute(
                sa.select(events).where(events.c.sid.in_({r.event_sid for r in rows}))
            )
        ).all()
        hooks = {r.target_sid for r in rows if r.target_type == "webhook"}
        people = {r.target_sid for r in rows if r.target_type == "contact"}
        targets: dict[str, Any] = {}
        if hooks:
            query = sa.select(webhook_subscriptions).where(webhook_subscriptions.c.sid.in_(hooks))
            targets.update((t.sid, t) for t in (await conn.execute(query)).all())
        if people:
            query = sa.select(contacts).where(contacts.c.sid.in_(people))
            targets.update((t.sid, t) for t in (await conn.execute(query)).all())
        callbacks = {r.target_sid for r in rows if r.target_type == "callback"}
        targets.update(await load_targets(conn, callbacks))
    by_sid = {e.sid: _event(e) for e in event_rows}
    rows.sort(key=lambda r: r.next_attempt_at)
    return [
        Claim(
            sid=r.sid,
            target_type=r.target_type,
            target_sid=r.target_sid,
            attempts=r.attempts,
            event=by_sid[r.event_sid],
            target=targets.get(r.target_sid),
        )
        for r in rows
    ]


async def release(db: Database, owner: str) -> int:
    """Give back every lease of `owner` (a worker stopping cleanly); return how many."""
    async with db.transaction() as conn:
        result = await conn.execute(
            deliveries.update()
            .where(deliveries.c.lease_owner == owner, deliveries.c.status.in_(OPEN))
            .values(lease_owner=None, lease_expires_at=None)
        )
    return int(result.rowcount)


async def next_due_at(db: Database) -> datetime | None:
    """When the earliest open delivery comes due (None: nothing is open)."""
    async with db.connect() as conn:
        value = (
            await conn.execute(
                sa.select(sa.func.min(deliveries.c.next_attempt_at)).where(
                    deliveries.c.status.in_(OPEN)
                )
            )
        ).scalar_one_or_none()
    return as_utc(value) if value is not None else None
