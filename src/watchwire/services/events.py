"""Reading an account's events: newest first, filtered by type, resource and time range.

Events are answered as the `Event` records the engine recorded, with the payload's private
fields (a contact's confirmation code …) left out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.errors import NotFoundError, ValidationError
from watchwire.events.catalog import CATALOG, public_payload
from watchwire.events.event import Event
from watchwire.pagination import Page, PageRequest
from watchwire.services.monitors import time_range
from watchwire.store.database import Database
from watchwire.store.tables import events


def _event(row: Any) -> Event:
    return Event(
        sid=row.sid,
        account_sid=row.account_sid,
        type=row.type,
        description=row.description,
        payload=public_payload(row.payload),
        created_at=row.created_at,
        resource_type=row.resource_type,
        resource_sid=row.resource_sid,
        contact_groups=list(row.contact_groups),
    )


class EventService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list(
        self,
        account_sid: str,
        page: PageRequest,
        *,
        types: list[str] | None = None,
        resource_sid: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Page[Event]:
        for name in types or []:
            if name not in CATALOG:
                raise ValidationError.field("type", "enum", f"unknown event type {name!r}")
        start, end = time_range(since, until, self._clock.now(), timedelta(days=36500))
        where = [
            events.c.account_sid == account_sid,
            events.c.created_at >= start,
            events.c.created_at <= end,
        ]
        if types:
            where.append(events.c.type.in_(types))
        if resource_sid:
            where.append(events.c.resource_sid == resource_sid)
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(events).where(*where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(events)
                    .where(*where)
                    .order_by(events.c.created_at.desc(), events.c.sid.desc())
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([_event(r) for r in rows], int(total), page)

    async def get(self, account_sid: str, sid: str) -> Event:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(events).where(
                        events.c.sid == sid, events.c.account_sid == account_sid
                    )
                )
            ).first()
        if row is None:
            raise NotFoundError(f"Event {sid} not found")
        return _event(row)
