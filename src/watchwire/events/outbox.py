"""The transactional outbox: the delivery rows of an event, written in the event's transaction.

`enqueue` runs right after the event insert (events/store.py), so an event and the rows that
deliver it commit together or not at all; nothing is sent from inside that transaction. The
delivery worker (delivery/worker.py) later claims the rows. Who gets a row:

- every active webhook subscription of the account whose `events` filter names the type (no
  filter = all) and whose plan allows it — except that a `test` event goes only to the
  subscription it tests, and an event about a subscription (its failure warnings) never goes
  to that subscription itself;
- every active contact in the event's contact groups — except that an event about a contact
  (`contact.confirm`) goes to that contact alone, whatever its status.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from watchwire.events.event import Event
from watchwire.ids import new_sid
from watchwire.store.database import Connection
from watchwire.store.tables import accounts, plans
from watchwire.store.tables_contacts import contact_group_members, contacts
from watchwire.store.tables_webhooks import deliveries, webhook_subscriptions

_SUBSCRIPTIONS = (
    sa.select(webhook_subscriptions.c.sid, webhook_subscriptions.c.events, plans.c.event_types)
    .join(accounts, accounts.c.sid == webhook_subscriptions.c.account_sid)
    .join(plans, plans.c.name == accounts.c.plan)
    .where(
        webhook_subscriptions.c.account_sid == sa.bindparam("account_sid"),
        webhook_subscriptions.c.is_active.is_(True),
    )
)


def _wants(event: Event, sid: str, events: list[str] | None, plan_types: list[str] | None) -> bool:
    if event.resource_type == "contact":
        # Addressed to one contact (its confirmation code): never to the account's webhooks,
        # or the account could confirm a destination it does not own.
        return False
    if event.type == "test":
        return sid == event.resource_sid
    if event.resource_type == "webhook" and sid == event.resource_sid:
        return False
    if plan_types is not None and event.type not in plan_types:
        return False
    return events is None or event.type in events


async def _webhook_targets(conn: Connection, event: Event) -> list[str]:
    rows = (await conn.execute(_SUBSCRIPTIONS, {"account_sid": event.account_sid})).all()
    return [r.sid for r in rows if _wants(event, r.sid, r.events, r.event_types)]


async def _contact_targets(conn: Connection, event: Event) -> list[str]:
    if event.resource_type == "contact" and event.resource_sid:
        return [event.resource_sid]
    if not event.contact_groups:
        return []
    rows = (
        await conn.execute(
            sa.select(contacts.c.sid)
            .distinct()
            .join(contact_group_members, contact_group_members.c.contact_sid == contacts.c.sid)
            .where(
                contact_group_members.c.group_sid.in_(event.contact_groups),
                contacts.c.account_sid == event.account_sid,
                contacts.c.status == "active",
            )
            .order_by(contacts.c.sid)
        )
    ).all()
    return [r.sid for r in rows]


def delivery_row(event: Event, target_type: str, target_sid: str) -> dict[str, Any]:
    """A fresh `pending` delivery of `event`, due at once."""
    return {
        "sid": new_sid("delivery"),
        "event_sid": event.sid,
        "account_sid": event.account_sid,
        "target_type": target_type,
        "target_sid": target_sid,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": event.created_at,
        "created_at": event.created_at,
    }


async def enqueue(conn: Connection, event: Event) -> int:
    """Write one delivery row per recipient of `event` inside `conn`'s transaction; return
    how many."""
    rows = [delivery_row(event, "webhook", sid) for sid in await _webhook_targets(conn, event)]
    rows += [delivery_row(event, "contact", sid) for sid in await _contact_targets(conn, event)]
    if rows:
        await conn.execute(deliveries.insert(), rows)
    return len(rows)
