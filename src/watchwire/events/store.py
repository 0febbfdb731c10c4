"""Recording an event: the event row and the outbox rows of its deliveries, in the caller's
transaction, so a state change, its event and its deliveries commit (or vanish) together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from watchwire.events import outbox
from watchwire.events.catalog import CATALOG
from watchwire.events.event import Event
from watchwire.ids import new_sid
from watchwire.store.database import Connection
from watchwire.store.tables import events

# Built once: jobs record thousands of events a sweep, and `.values(...)` per call cost more
# than the insert itself.
_INSERT = events.insert()


async def record_event(
    conn: Connection,
    *,
    account_sid: str,
    type: str,
    description: str,
    payload: dict[str, Any],
    now: datetime,
    resource_type: str | None = None,
    resource_sid: str | None = None,
    contact_groups: list[str] | None = None,
    recipients: Sequence[str] | None = None,
    held: bool = False,
) -> Event:
    """Insert an event (and, through the outbox, its deliveries) inside `conn`'s transaction.
    `recipients` replaces the default routing (outbox.py); `held` records the deliveries
    as held back (a muted monitor) instead of due."""
    if type not in CATALOG:
        raise ValueError(f"unknown event type {type!r}: add it to events/catalog.py")
    event = Event(
        sid=new_sid("event"),
        account_sid=account_sid,
        type=type,
        description=description,
        payload=payload,
        created_at=now,
        resource_type=resource_type,
        resource_sid=resource_sid,
        contact_groups=list(contact_groups or []),
        recipients=tuple(recipients) if recipients is not None else None,
        held=held,
    )
    await conn.execute(
        _INSERT,
        {
            "sid": event.sid,
            "account_sid": account_sid,
            "type": type,
            "resource_type": resource_type,
            "resource_sid": resource_sid,
            "description": description,
            "payload": payload,
            "contact_groups": event.contact_groups,
            "created_at": now,
        },
    )
    await outbox.enqueue(conn, event)
    return event
