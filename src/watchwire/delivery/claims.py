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


# The claim's statements are built once: building these selects cost more than running
# them (~2 ms per claim), and the worker claims every time an endpoint has room again.
_NOW = sa.bindparam("c_now", type_=deliveries.c.next_attempt_at.type)
_SCAN = sa.bindparam("c_scan", type_=sa.Integer)
_LIMIT = sa.bindparam("c_limit", type_=sa.Integer)
_PER_TARGET = sa.bindparam("c_per_target", type_=sa.Integer)
_BUSY = sa.bindparam("c_busy", type_=sa.String, expanding=True)
_SIDS = sa.bindparam("c_sids", type_=sa.String, expanding=True)
_LEASE_FREE = sa.or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at <= _NOW)


def _scan(status: str) -> Any:
    """The earliest due rows in one status, read in the due index's order. One scan per status
    rather than `status IN (...)`: across two statuses SQLite collects and sorts every due
    row before the limit, which behind a long backlog was most of a claim's time."""
    return (
        sa.select(deliveries.c.sid, deliveries.c.target_sid, deliveries.c.next_attempt_at)
        .where(
            deliveries.c.status == status,
            deliveries.c.next_attempt_at <= _NOW,
            _LEASE_FREE,
            deliveries.c.target_sid.not_in(_BUSY),
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(_SCAN)
        .subquery()
    )


def _candidates() -> Any:
    scanned = sa.union_all(*(sa.select(_scan(status)) for status in OPEN)).subquery()
    rank = (
        sa.func.row_number()
        .over(partition_by=scanned.c.target_sid, order_by=scanned.c.next_attempt_at)
        .label("rank")
    )
    ranked = sa.select(scanned.c.sid, scanned.c.next_attempt_at, rank).subquery()
    return (
        sa.select(ranked.c.sid)
        .where(ranked.c.rank <= _PER_TARGET)
        .order_by(ranked.c.next_attempt_at)
        .limit(_LIMIT)
    )


_CHOSEN = deliveries.c.sid.in_(_candidates())
# SQLite: the candidates were due within this same statement, in a transaction that never
# yields. Repeating the due conditions here made SQLite read every due row by the due index
# instead of looking the few candidates up by key (~8 ms behind a 20,000-row backlog).
_CLAIM_SQLITE = sa.select(deliveries).where(_CHOSEN)
# PostgreSQL: rows another worker has locked are skipped; due is checked again once locked.
_CLAIM_POSTGRESQL = (
    sa.select(deliveries)
    .where(
        _CHOSEN, deliveries.c.status.in_(OPEN), deliveries.c.next_attempt_at <= _NOW, _LEASE_FREE
    )
    .with_for_update(skip_locked=True)
)
_LEASE = (
    deliveries.update()
    .where(deliveries.c.sid.in_(_SIDS))
    .values(lease_owner=sa.bindparam("c_owner"), lease_expires_at=sa.bindparam("c_expires"))
)
_EVENTS = sa.select(events).where(events.c.sid.in_(_SIDS))
_SUBSCRIPTIONS = sa.select(webhook_subscriptions).where(webhook_subscriptions.c.sid.in_(_SIDS))
_CONTACTS = sa.select(contacts).where(contacts.c.sid.in_(_SIDS))


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
    claim = _CLAIM_POSTGRESQL if db.dialect == "postgresql" else _CLAIM_SQLITE
    params = {
        "c_now": now,
        "c_scan": limit * SCAN_FACTOR,
        "c_limit": limit,
        "c_per_target": per_target,
        "c_busy": list(busy),
    }
    async with db.transaction() as conn:
        rows = list((await conn.execute(claim, params)).all())
        if not rows:
            return []
        expires = now + timedelta(seconds=lease_seconds)
        await conn.execute(
            _LEASE, {"c_sids": [r.sid for r in rows], "c_owner": owner, "c_expires": expires}
        )
        event_sids = list({r.event_sid for r in rows})
        event_rows = (await conn.execute(_EVENTS, {"c_sids": event_sids})).all()
        hooks = list({r.target_sid for r in rows if r.target_type == "webhook"})
        people = list({r.target_sid for r in rows if r.target_type == "contact"})
        targets: dict[str, Any] = {}
        if hooks:
            found = await conn.execute(_SUBSCRIPTIONS, {"c_sids": hooks})
            targets.update((t.sid, t) for t in found.all())
        if people:
            found = await conn.execute(_CONTACTS, {"c_sids": people})
            targets.update((t.sid, t) for t in found.all())
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
