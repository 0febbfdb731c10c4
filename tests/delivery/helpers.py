"""Shared steps of the delivery tests: subscribe, emit an event, build a worker, read rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from watchwire.delivery.channels import ChannelContext, SmtpSettings
from watchwire.delivery.worker import DeliveryWorker, WorkerOptions
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.ids import new_sid
from watchwire.runtime import Runtime
from watchwire.services.subscriptions import Subscription
from watchwire.store.tables_contacts import contact_group_members, contact_groups, contacts
from watchwire.store.tables_webhooks import deliveries, delivery_attempts, webhook_subscriptions
from watchwire.target_policy import TargetPolicy

LOOPBACK = TargetPolicy(allow_private=True)
FAST = WorkerOptions(timeout=2.0, allow_http=True, poll_interval=0.05)


async def subscribe(runtime: Runtime, account_sid: str, url: str, **fields: Any) -> Subscription:
    plan = (await runtime.accounts.get_account(account_sid)).plan
    return await runtime.subscriptions.create(account_sid, plan, url=url, **fields)


async def emit(
    runtime: Runtime,
    account_sid: str,
    type: str = "monitor.down",
    *,
    groups: list[str] | None = None,
    resource_type: str | None = "monitor",
    resource_sid: str | None = None,
) -> Event:
    async with runtime.db.transaction() as conn:
        return await record_event(
            conn,
            account_sid=account_sid,
            type=type,
            description=f"{type} for the shop",
            payload={"monitor": {"sid": "MO" + "1" * 32, "name": "shop", "target": "https://shop"}},
            now=runtime.clock.now(),
            resource_type=resource_type,
            resource_sid=resource_sid or "MO" + "1" * 32,
            contact_groups=groups,
        )


def worker(runtime: Runtime, options: WorkerOptions = FAST, **changes: Any) -> DeliveryWorker:
    smtp = changes.pop("smtp", SmtpSettings())
    policy = changes.pop("policy", LOOPBACK)
    return DeliveryWorker(
        db=runtime.db,
        clock=runtime.clock,
        options=replace(options, **changes),
        policy=policy,
        channel_ctx=ChannelContext(policy=policy, smtp=smtp, timeout=5.0),
    )


async def rows(runtime: Runtime, **where: Any) -> list[Any]:
    query = sa.select(deliveries).order_by(deliveries.c.created_at, deliveries.c.sid)
    for name, value in where.items():
        query = query.where(deliveries.c[name] == value)
    async with runtime.db.connect() as conn:
        return list((await conn.execute(query)).all())


async def attempts(runtime: Runtime, delivery_sid: str) -> list[Any]:
    async with runtime.db.connect() as conn:
        return list(
            (
                await conn.execute(
                    sa.select(delivery_attempts)
                    .where(delivery_attempts.c.delivery_sid == delivery_sid)
                    .order_by(delivery_attempts.c.number)
                )
            ).all()
        )


async def subscription_row(runtime: Runtime, sid: str) -> Any:
    async with runtime.db.connect() as conn:
        return (
            await conn.execute(
                sa.select(webhook_subscriptions).where(webhook_subscriptions.c.sid == sid)
            )
        ).one()


async def add_contact(
    runtime: Runtime,
    account_sid: str,
    *,
    type: str,
    args: dict[str, Any],
    status: str = "active",
    group: str | None = None,
    default_group: bool = False,
) -> tuple[str, str]:
    """A contact row (C's table shape) in a group; returns (contact sid, group sid)."""
    contact = new_sid("contact")
    now = runtime.clock.now()
    async with runtime.db.transaction() as conn:
        await conn.execute(
            contacts.insert().values(
                sid=contact,
                account_sid=account_sid,
                name=f"{type} contact",
                type=type,
                args=args,
                status=status,
                created_at=now,
            )
        )
        if group is None:
            group = new_sid("contact_group")
            await conn.execute(
                contact_groups.insert().values(
                    sid=group,
                    account_sid=account_sid,
                    name="ops",
                    is_default=default_group,
                    created_at=now,
                )
            )
        await conn.execute(
            contact_group_members.insert().values(group_sid=group, contact_sid=contact)
        )
    return contact, group
