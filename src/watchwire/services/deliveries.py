"""The delivery log: deliveries with 000's filters, one delivery with its attempts, and
redelivery.

A redelivery is a new `pending` row for the same event and target: the log keeps the old
row as it ended, and the receiver sees the same `webhook-id`, so a receiver that already
handled the event can drop it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.failing import FailingEndpoint, failing_endpoints
from watchwire.store import aliases
from watchwire.store.database import Database
from watchwire.store.tables import events
from watchwire.store.tables_webhooks import deliveries, delivery_attempts

DeliveryStatus = Literal["pending", "retrying", "delivered", "failed", "dead", "held"]
# Who a delivery goes to: a webhook subscription, a contact, or an RBL check's callback URL.
TargetType = Literal["webhook", "contact", "callback"]
STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)
FINISHED: tuple[DeliveryStatus, ...] = ("delivered", "failed", "dead")

_COLUMNS = (
    deliveries,
    events.c.type.label("event_type"),
    aliases.alias_of(deliveries.c.sid).label("alias"),
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the delivery log: an event on its way to one target."""

    sid: str
    # The stable integer id faces with integer ids show (store/aliases.py).
    alias: int | None
    event_sid: str
    event_type: str
    target_type: TargetType
    target_sid: str
    status: DeliveryStatus
    attempt_count: int
    # The HTTP status and the error of the latest attempt (None before the first).
    last_status_code: int | None
    last_error: str | None
    # When the next attempt is due; None once the delivery is finished.
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    number: int
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error: str | None
    response_excerpt: str | None


@dataclass(frozen=True, slots=True)
class DeliveryDetail:
    """A delivery with every attempt made, oldest first."""

    delivery: Delivery
    attempts: tuple[DeliveryAttempt, ...]


def _delivery(row: Any) -> Delivery:
    return Delivery(
        sid=row.sid,
        alias=row.alias,
        event_sid=row.event_sid,
        event_type=row.event_type,
        target_type=row.target_type,
        target_sid=row.target_sid,
        status=row.status,
        attempt_count=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.status in ("pending", "retrying") else None,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def _attempt(row: Any) -> DeliveryAttempt:
    return DeliveryAttempt(
        number=row.number,
        started_at=row.started_at,
        duration_ms=row.duration_ms,
        status_code=row.status_code,
        error=row.error,
        response_excerpt=row.response_excerpt,
    )


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    webhook_id: str | None = None
    event_type: str | None = None
    status: str | None = None
    # Only deliveries to this kind of target (Enterno's event log shows webhooks' alone).
    target_type: TargetType | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValidationError.field(
                "status", "enum", f"status must be one of {', '.join(STATUSES)}"
            )

    def where(self, account_sid: str) -> list[Any]:
        clauses: list[Any] = [deliveries.c.account_sid == account_sid]
        if self.webhook_id is not None:
            clauses += [
                deliveries.c.target_type == "webhook",
                deliveries.c.target_sid == self.webhook_id,
            ]
        if self.target_type is not None:
            clauses.append(deliveries.c.target_type == self.target_type)
        if self.event_type is not None:
            clauses.append(events.c.type == self.event_type)
        if self.status is not None:
            clauses.append(deliveries.c.status == self.status)
        return clauses


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    """The account's deliveries counted by status, and the endpoints that keep failing
    (whose deliveries may all still be `retrying`)."""

    by_status: dict[str, int]
    failing: list[FailingEndpoint]


class DeliveryService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def summary(self, account_sid: str) -> DeliverySummary:
        async with self._db.connect() as conn:
            counted: list[Any] = list(
                (
                    await conn.execute(
                        sa.select(deliveries.c.status, sa.func.count().label("n"))
                        .where(deliveries.c.account_sid == account_sid)
                        .group_by(deliveries.c.status)
                    )
                ).all()
            )
            failing = await failing_endpoints(conn, account_sid)
        by_status = dict.fromkeys(STATUSES, 0) | {str(r.status): int(r.n) for r in counted}
        return DeliverySummary(by_status, failing)

    async def list_page(
        self, account_sid: str, filters: DeliveryFilter, page: PageRequest
    ) -> Page[Delivery]:
        joined = deliveries.join(events, events.c.sid == deliveries.c.event_sid)
        where = filters.where(account_sid)
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(joined).where(*where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(*_COLUMNS)
                    .select_from(joined)
                    .where(*where)
                    .order_by(deliveries.c.created_at.desc(), deliveries.c.sid.desc())
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
        return Page([_delivery(r) for r in rows], int(total), page)

    async def get(self, account_sid: str, sid: str) -> DeliveryDetail:
        """One delivery and every attempt made, oldest first."""
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(*_COLUMNS)
                    .select_from(deliveries.join(events, events.c.sid == deliveries.c.event_sid))
                    .where(deliveries.c.sid == sid, deliveries.c.account_sid == account_sid)
                )
            ).first()
            if row is None:
                raise NotFoundError("Resource not found")
            attempts = (
                await conn.execute(
                    sa.select(delivery_attempts)
                    .where(delivery_attempts.c.delivery_sid == sid)
                    .order_by(delivery_attempts.c.number)
                )
            ).all()
        return DeliveryDetail(_delivery(row), tuple(_attempt(a) for a in attempts))

    async def redeliver(self, account_sid: str, sid: str) -> DeliveryDetail:
        """Queue the event again for the same target, as a new delivery due now."""
        now = self._clock.now()
        new = new_sid("delivery")
        async with self._db.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(deliveries).where(
                        deliveries.c.sid == sid, deliveries.c.account_sid == account_sid
                    )
                )
            ).first()
            if row is None:
                raise NotFoundError("Resource not found")
            if row.status not in FINISHED:
                raise ConflictError(f"the delivery is still {row.status}: it will be tried again")
            await conn.execute(
                deliveries.insert().values(
                    sid=new,
                    event_sid=row.event_sid,
                    account_sid=account_sid,
                    target_type=row.target_type,
                    target_sid=row.target_sid,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            await aliases.assign(conn, [new])
        return await self.get(account_sid, new)
