"""Recording an event: the event row and the outbox rows of its deliveries, in the caller's
transaction, so a state change, its event and its deliveries commit (or vanish) together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from watchwire.events.catalog import CATALOG
from watchwire.ids import new_sid
from watchwire.store.database import Connection
from watchwire.store.tables import events

# Built once: jobs record thousands of events a sweep, and `.values(...)` per call cost more
# than the insert itself.
_INSERT = events.insert()


@dataclass(frozen=True, slots=True)
class Event:
    sid: str
    account_sid: str
    type: str
    description: str
    payload: dict[str, Any]
    created_at: datetime
    resource_type: str | None = None
    resource_sid: str | None = None
    contact_groups: list[str] = field(default_factory=list)


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
) -> Event:
    """Insert an event (and, through the outbox, its deliveries) inside `conn`'s transaction."""
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
    from watchwire.events import outbox  # here: outbox imports Event from this module

    await outbox.enqueue(conn, event)
    return event
