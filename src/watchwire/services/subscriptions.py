"""Webhook subscriptions: create (secret shown once), list, read, change, delete, rotate the
secret, and send a `test` event.

Rules: the plan caps how many subscriptions an account has and which event types they may
name; the URL must be https unless the operator allows plain http, and a literal address must
pass the target policy (names are checked when the worker resolves them); the secret is a
Standard Webhooks `whsec_` secret, generated when absent, and shown only masked after creation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.delivery.formats import FORMATS
from watchwire.delivery.signing import new_secret
from watchwire.delivery.webhook import url_problem
from watchwire.errors import ConflictError, LimitError, NotFoundError, ValidationError
from watchwire.events.catalog import CATALOG
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.accounts import Plan
from watchwire.services.failing import EndpointState, Failing, failing_of, state_filter
from watchwire.store import aliases
from watchwire.store.database import Connection, Database
from watchwire.store.tables import accounts
from watchwire.store.tables_webhooks import deliveries, webhook_subscriptions
from watchwire.target_policy import TargetPolicy

ROTATION_GRACE = timedelta(hours=24)
MIN_SECRET_LENGTH = 16
FIELDS = ("url", "name", "events", "is_active", "format", "legacy_signature")
_COLUMNS = (webhook_subscriptions, aliases.alias_of(webhook_subscriptions.c.sid).label("alias"))


def mask(secret: str) -> str:
    return (secret[:6] if secret.startswith("whsec_") else "") + "***"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A webhook subscription. `secret` is the whole secret only in the answers to create and
    rotate_secret (None elsewhere); `masked_secret` is what may be shown at any time."""

    sid: str
    # The stable integer id faces with integer ids show (store/aliases.py).
    alias: int | None
    name: str
    url: str
    masked_secret: str
    secret: str | None
    # The event types it receives; None: every type the plan allows.
    events: tuple[str, ...] | None
    format: str
    is_active: bool
    legacy_signature: bool
    consecutive_failures: int
    disabled_reason: str | None
    # The run of failed deliveries going on now (services/failing.py); None: none.
    failing: Failing | None
    # Until when the secret replaced by the last rotation still signs; None: no such secret.
    previous_secret_expires_at: datetime | None
    created_at: datetime


def _subscription(row: Any, *, secret: str | None = None) -> Subscription:
    return Subscription(
        sid=row.sid,
        alias=row.alias,
        name=row.name,
        url=row.url,
        masked_secret=mask(row.secret),
        secret=secret,
        events=tuple(row.events) if row.events is not None else None,
        format=row.format,
        is_active=bool(row.is_active),
        legacy_signature=bool(row.legacy_signature),
        consecutive_failures=row.consecutive_failures,
        disabled_reason=row.disabled_reason,
        failing=failing_of(row),
        previous_secret_expires_at=row.previous_secret_expires_at if row.previous_secret else None,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class TestSent:
    event: Event
    delivery_sid: str | None


class SubscriptionService:
    def __init__(self, db: Database, clock: Clock, policy: TargetPolicy, allow_http: bool) -> None:
        self._db = db
        self._clock = clock
        self._policy = policy
        self._allow_http = allow_http

    # -- validation ------------------------------------------------------------------------

    def _check_url(self, url: str) -> str:
        url = url.strip()
        problem = url_problem(url, self._policy, self._allow_http)
        if problem is not None:
            raise ValidationError.field("url", "url", problem)
        return url

    @staticmethod
    def _check_events(events: Sequence[str] | None, plan: Plan) -> list[str] | None:
        if events is None:
            return None
        chosen = list(dict.fromkeys(events))
        for index, name in enumerate(chosen):
            if name not in CATALOG:
                raise ValidationError.field(
                    f"events[{index}]",
                    "enum",
                    f"unknown event type {name!r} (the types are listed in docs/webhooks.md#event-types)",
                )
            if plan.event_types is not None and name not in plan.event_types:
                raise ValidationError.field(
                    f"events[{index}]",
                    "plan",
                    f"the {plan.name} plan does not include the event type {name!r}",
                )
        return chosen

    @staticmethod
    def _check_format(format: str) -> str:
        if format not in FORMATS:
            raise ValidationError.field(
                "format", "enum", f"unknown format {format!r} (one of {', '.join(FORMATS)})"
            )
        return format

    @staticmethod
    def _check_secret(secret: str | None) -> str:
        if secret is None:
            return new_secret()
        if len(secret) < MIN_SECRET_LENGTH or len(secret) > 255:
            raise ValidationError.field(
                "secret",
                "length",
                f"secret must be {MIN_SECRET_LENGTH} to 255 characters (or omit it to get one)",
            )
        return secret

    # -- reading ---------------------------------------------------------------------------

    async def _row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                sa.select(*_COLUMNS).where(
                    webhook_subscriptions.c.sid == sid,
                    webhook_subscriptions.c.account_sid == account_sid,
                )
            )
        ).first()
        if row is None:
            raise NotFoundError("Resource not found")
        return row

    async def get(self, account_sid: str, sid: str) -> Subscription:
        async with self._db.connect() as conn:
            return _subscription(await self._row(conn, account_sid, sid))

    async def list_page(
        self, account_sid: str, page: PageRequest, *, state: EndpointState | None = None
    ) -> Page[Subscription]:
        where = sa.and_(
            webhook_subscriptions.c.account_sid == account_sid,
            state_filter(webhook_subscriptions, state),
        )
        async with self._db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(webhook_subscriptions).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(*_COLUMNS)
                    .where(where)
                    .order_by(webhook_subscriptions.c.created_at, webhook_subscriptions.c.sid)
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
        return Page([_subscription(r) for r in rows], int(total), page)

    # -- writing ---------------------------------------------------------------------------

    async def create(
        self,
        account_sid: str,
        plan: Plan,
        *,
        url: str,
        name: str = "",
        secret: str | None = None,
        events: Sequence[str] | None = None,
        is_active: bool = True,
        format: str = "standard",
        legacy_signature: bool = False,
    ) -> Subscription:
        """Create a subscription; the answer is the only one that shows the whole secret."""
        values = {
            "sid": new_sid("webhook"),
            "account_sid": account_sid,
            "name": name.strip(),
            "url": self._check_url(url),
            "secret": self._check_secret(secret),
            "events": self._check_events(events, plan),
            "format": self._check_format(format),
            "is_active": is_active,
            "legacy_signature": legacy_signature,
            "consecutive_failures": 0,
            "created_at": self._clock.now(),
        }
        async with self._db.transaction() as conn:
            if self._db.dialect == "postgresql":
                # Serialise creations per account so two at once cannot pass the plan cap.
                await conn.execute(
                    sa.select(accounts.c.sid).where(accounts.c.sid == account_sid).with_for_update()
                )
            count = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(webhook_subscriptions)
                    .where(webhook_subscriptions.c.account_sid == account_sid)
                )
            ).scalar_one()
            if count >= plan.max_webhooks:
                raise LimitError(
                    f"the {plan.name} plan allows {plan.max_webhooks} webhook subscriptions",
                    code="webhook_limit_reached",
                )
            await conn.execute(webhook_subscriptions.insert().values(**values))
            await aliases.assign(conn, [str(values["sid"])])
            row = await self._row(conn, account_sid, str(values["sid"]))
        return _subscription(row, secret=str(values["secret"]))

    async def update(
        self, account_sid: str, sid: str, plan: Plan, changes: dict[str, Any]
    ) -> Subscription:
        """Change the given fields. Re-activating an endpoint clears its failure count."""
        values: dict[str, Any] = {}
        if "url" in changes:
            values["url"] = self._check_url(changes["url"])
        if "name" in changes:
            values["name"] = (changes["name"] or "").strip()
        if "events" in changes:
            values["events"] = self._check_events(changes["events"], plan)
        if "format" in changes:
            values["format"] = self._check_format(changes["format"])
        if "legacy_signature" in changes:
            values["legacy_signature"] = bool(changes["legacy_signature"])
        if "is_active" in changes:
            values["is_active"] = bool(changes["is_active"])
            if values["is_active"]:
                values |= {
                    "consecutive_failures": 0,
                    "disabled_reason": None,
                    "failing_since": None,
                    "last_failure": None,
                }
        async with self._db.transaction() as conn:
            await self._row(conn, account_sid, sid)
            if values:
                await conn.execute(
                    webhook_subscriptions.update()
                    .where(webhook_subscriptions.c.sid == sid)
                    .values(**values)
                )
            return _subscription(await self._row(conn, account_sid, sid))

    async def delete(self, account_sid: str, sid: str) -> None:
        """Delete a subscription. Its open deliveries end `failed` when the worker meets them;
        the delivery log keeps its rows."""
        async with self._db.transaction() as conn:
            result = await conn.execute(
                webhook_subscriptions.delete().where(
                    webhook_subscriptions.c.sid == sid,
                    webhook_subscriptions.c.account_sid == account_sid,
                )
            )
        if result.rowcount == 0:
            raise NotFoundError("Resource not found")

    async def rotate_secret(
        self, account_sid: str, sid: str, secret: str | None = None
    ) -> Subscription:
        """A new secret (shown once); the old one keeps signing alongside for 24 hours."""
        new = self._check_secret(secret)
        async with self._db.transaction() as conn:
            row = await self._row(conn, account_sid, sid)
            await conn.execute(
                webhook_subscriptions.update()
                .where(webhook_subscriptions.c.sid == sid)
                .values(
                    secret=new,
                    previous_secret=row.secret,
                    previous_secret_expires_at=self._clock.now() + ROTATION_GRACE,
                )
            )
            row = await self._row(conn, account_sid, sid)
        return _subscription(row, secret=new)

    async def send_test(self, account_sid: str, sid: str) -> TestSent:
        """Record a `test` event that goes to this subscription alone, through the outbox."""
        async with self._db.transaction() as conn:
            row = await self._row(conn, account_sid, sid)
            if not row.is_active:
                raise ConflictError("the webhook is disabled: enable it before testing it")
            event = await record_event(
                conn,
                account_sid=account_sid,
                type="test",
                description=f"Test event for webhook {row.name or row.url}",
                payload={"webhook": {"sid": row.sid, "name": row.name, "url": row.url}},
                now=self._clock.now(),
                resource_type="webhook",
                resource_sid=row.sid,
            )
            delivery = (
                await conn.execute(
                    sa.select(deliveries.c.sid).where(
                        deliveries.c.event_sid == event.sid, deliveries.c.target_sid == sid
                    )
                )
            ).scalar_one_or_none()
        return TestSent(event=event, delivery_sid=delivery)
