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

An event with `recipients` (a monitor's own list) goes to those alone: the webhook
subscriptions named (still subject to their `events` filter and the plan), the contacts
named and the members of the contact groups named; its contact groups are not used. A
`held` event (its monitor is muted) gets the same rows, recorded `held` with no due time:
the delivery log shows who was not told, and the worker never claims them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from watchwire.events.event import Event
from watchwire.ids import is_sid, new_sid
from watchwire.store import aliases
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
    named = None if event.recipients is None else set(event.recipients)
    return [
        r.sid
        for r in rows
        if _wants(event, r.sid, r.events, r.event_types) and (named is None or r.sid in named)
    ]


async def _contact_targets(conn: Connection, event: Event) -> list[str]:
    if event.resource_type == "contact" and event.resource_sid:
        return [event.resource_sid]
    if event.recipients is None:
        groups, named = event.contact_groups, []
    else:
        groups = [sid for sid in event.recipients if is_sid("contact_group", sid)]
        named = [sid for sid in event.recipients if is_sid("contact", sid)]
    if not groups and not named:
        return []
    members = sa.select(contact_group_members.c.contact_sid).where(
        contact_group_members.c.group_sid.in_(groups)
    )
    rows = (
        await conn.execute(
            sa.select(contacts.c.sid)
            .where(
                sa.or_(contacts.c.sid.in_(members), contacts.c.sid.in_(named)),
                contacts.c.account_sid == event.account_sid,
                contacts.c.status == "active",
            )
            .order_by(contacts.c.sid)
        )
    ).all()
    return [r.sid for r in rows]


def delivery_row(event: Event, target_type: str, target_sid: str) -> dict[str, Any]:
    """A fresh `pending` delivery of `event`, due at once (`held`, never due, when the
    event is held back)."""
    return {
        "sid": new_sid("delivery"),
        "event_sid": event.sid,
        "account_sid": event.account_sid,
        "target_type": target_type,
        "target_sid": target_sid,
        "status": "held" if event.held else "pending",
        "attempts": 0,
        "next_attempt_at": None if event.held else event.created_at,
        "created_at": event.created_at,
    }


async def enqueue(conn: Connection, event: Event) -> int:
    """Write one delivery row per recipient of `event` inside `conn`'s transaction; return
    how many."""
    rows = [delivery_row(event, "webhook", sid) for sid in await _webhook_targets(conn, event)]
    rows += [delivery_row(event, "contact", sid) for sid in await _contact_targets(conn, event)]
    if rows:
        await conn.execute(deliveries.insert(), rows)
        await aliases.assign(conn, [row["sid"] for row in rows])
    return len(rows)
