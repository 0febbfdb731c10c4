"""Writing attempt outcomes: the delivery's next state, its attempt row, and the endpoint's
health (consecutive failures, warnings, disabling).

Outcomes are written in batches, one transaction for everything that finished since the
last write: on a busy endpoint the per-transaction cost, not the HTTP request, is what
limits deliveries per second. A batch keeps only rows whose lease the worker still holds
(a worker that overran its lease drops its outcome: the new owner's counts). Nothing is
lost if the process dies before a write: the leases expire and the rows are tried again.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire import logs, telemetry
from watchwire.clock import isoformat
from watchwire.delivery.claims import Claim
from watchwire.delivery.formats import FORMATS
from watchwire.delivery.formats.base import DEFAULT_RULES, DeliveryRules
from watchwire.delivery.schedule import retry_delay
from watchwire.delivery.webhook import GONE, AttemptResult
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.store.database import Connection, Database
from watchwire.store.tables_contacts import contact_groups, contacts
from watchwire.store.tables_webhooks import deliveries, delivery_attempts, webhook_subscriptions

log = logging.getLogger(__name__)
# Log lines of a batch, emitted once its transaction has committed.
Notes = list[tuple[str, dict[str, Any]]]

_WRITE = (
    deliveries.update()
    .where(deliveries.c.sid == sa.bindparam("b_sid"))
    .values(
        status=sa.bindparam("b_status"),
        attempts=sa.bindparam("b_attempts"),
        next_attempt_at=sa.bindparam("b_next"),
        delivered_at=sa.bindparam("b_delivered"),
        last_status_code=sa.bindparam("b_code"),
        last_error=sa.bindparam("b_error"),
        lease_owner=None,
        lease_expires_at=None,
    )
)


_SIDS = sa.bindparam("b_sids", type_=sa.String, expanding=True)
# Built once, like _WRITE: building them cost about as much as running them.
_OWNED = sa.select(deliveries.c.sid).where(
    deliveries.c.sid.in_(_SIDS), deliveries.c.lease_owner == sa.bindparam("b_owner")
)
_OWNED_LOCKED = _OWNED.with_for_update()
# The endpoints whose failures are counted, by delivery target type: webhooks are warned
# about and disabled; a contact's run is only counted (it has no endpoint to disable).
ENDPOINTS: dict[str, sa.Table] = {"webhook": webhook_subscriptions, "contact": contacts}
_RESET_FAILURES = {
    kind: (
        table.update()
        .where(table.c.sid.in_(_SIDS), table.c.consecutive_failures != 0)
        .values(consecutive_failures=0, failing_since=None, last_failure=None)
    )
    for kind, table in ENDPOINTS.items()
}


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Claim
    result: AttemptResult
    started: datetime
    finished: datetime
    duration_ms: float
    # An attempt on the endpoint itself (a webhook or a contact's channel, not a deleted or
    # paused target), counted toward its run of failures.
    counted: bool


@dataclass(frozen=True, slots=True)
class Health:
    """When consecutive failures warn the account, and when they disable the endpoint."""

    warn_after: tuple[int, ...] = (10, 100, 900)
    disable_after: int = 1000


def rules_of(item: Claim) -> DeliveryRules:
    """The delivery rules of a webhook's format; contacts and callbacks follow the defaults."""
    if item.target_type != "webhook" or item.target is None:
        return DEFAULT_RULES
    format = FORMATS.get(item.target.format)
    return format.rules if format is not None else DEFAULT_RULES


def next_state(outcome: Outcome, max_attempts: int, rng: random.Random) -> dict[str, Any]:
    """The bind values of the delivery's row after this attempt (`max_attempts` is the
    operator's; a format with its own count, like entri's 3, has its way)."""
    result, number, now = outcome.result, outcome.item.attempts + 1, outcome.finished
    max_attempts = rules_of(outcome.item).attempts(max_attempts)
    values: dict[str, Any] = {
        "b_sid": outcome.item.sid,
        "b_attempts": number,
        "b_code": result.status_code,
        "b_error": result.error,
        "b_next": None,
        "b_delivered": None,
    }
    if result.ok:
        return values | {"b_status": "delivered", "b_delivered": now}
    if result.permanent:
        return values | {"b_status": "failed"}
    if number >= max_attempts:
        return values | {"b_status": "dead"}
    delay = retry_delay(number, result.retry_after, rng)
    return values | {"b_status": "retrying", "b_next": now + timedelta(seconds=delay)}


def _attempt_row(outcome: Outcome) -> dict[str, Any]:
    return {
        "delivery_sid": outcome.item.sid,
        "number": outcome.item.attempts + 1,
        "started_at": outcome.started,
        "duration_ms": round(outcome.duration_ms, 3),
        "status_code": outcome.result.status_code,
        "error": outcome.result.error,
        "response_excerpt": outcome.result.excerpt,
    }


async def write(
    db: Database,
    owner: str,
    batch: list[Outcome],
    *,
    max_attempts: int,
    health: Health,
    rng: random.Random,
) -> int:
    """Write a batch of outcomes in one transaction; return how many were still ours."""
    if not batch:
        return 0
    async with db.transaction() as conn:
        query = _OWNED_LOCKED if db.dialect == "postgresql" else _OWNED
        params = {"b_sids": [o.item.sid for o in batch], "b_owner": owner}
        owned = set((await conn.execute(query, params)).scalars())
        kept = [o for o in batch if o.item.sid in owned]
        if not kept:
            return 0
        states = [next_state(o, max_attempts, rng) for o in kept]
        await conn.execute(_WRITE, states)
        await conn.execute(delivery_attempts.insert(), [_attempt_row(o) for o in kept])
        notes: Notes = [_failure_note(o, v) for o, v in zip(kept, states, strict=True)]
        await _count(conn, [o for o in kept if o.counted], health, notes)
    for outcome, state in zip(kept, states, strict=True):
        telemetry.delivery_attempted(
            outcome.item.target_type,
            format_label(outcome.item),
            state["b_status"],
            outcome.duration_ms / 1000,
        )
    for message, fields in notes:
        if message:
            with logs.bound(logs.DELIVERY_ID, fields.get("delivery")):
                logs.note(log, message, **fields)
    return len(kept)


def format_label(item: Claim) -> str:
    """What a delivery was sent as, for `/metrics`: the webhook's payload format, the
    contact's channel, `callback`, or `deleted` when its target is gone."""
    if item.target is None:
        return "deleted"
    if item.target_type == "webhook":
        return str(item.target.format)
    if item.target_type == "contact":
        return str(item.target.type)
    return item.target_type


def _failure_note(outcome: Outcome, state: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The log line of a failed attempt (an empty message for a delivered one)."""
    if outcome.result.ok:
        return "", {}
    item, following = outcome.item, state.get("b_next")
    return f"delivery {item.sid} attempt {state['b_attempts']} failed", {
        "delivery": item.sid,
        "event": item.event.sid,
        "event_type": item.event.type,
        "target_type": item.target_type,
        "target": item.target_sid,
        "attempt": state["b_attempts"],
        "status": state["b_status"],
        "status_code": outcome.result.status_code,
        "error": outcome.result.error,
        "next_attempt_at": isoformat(following) if following else None,
    }


async def _count(conn: Connection, outcomes: list[Outcome], health: Health, notes: Notes) -> None:
    by_endpoint: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.item.target_type in ENDPOINTS:
            by_endpoint[outcome.item.target_type, outcome.item.target_sid].append(outcome)
    all_ok = {key for key, seen in by_endpoint.items() if all(o.result.ok for o in seen)}
    for kind, reset in _RESET_FAILURES.items():
        sids = [sid for (of_kind, sid) in all_ok if of_kind == kind]
        if sids:
            # The common case in one statement: endpoints that only succeeded start from zero.
            await conn.execute(reset, {"b_sids": sids})
    for key, seen in by_endpoint.items():
        if key not in all_ok:
            for outcome in seen:  # in order: a success in between resets the count
                await count_one(conn, outcome, health, notes)


async def count_one(conn: Connection, outcome: Outcome, health: Health, notes: Notes) -> None:
    table = ENDPOINTS[outcome.item.target_type]
    sid = outcome.item.target_sid
    if outcome.result.ok:
        await conn.execute(
            table.update()
            .where(table.c.sid == sid)
            .values(consecutive_failures=0, failing_since=None, last_failure=None)
        )
        return
    row = (
        await conn.execute(
            table.update()
            .where(table.c.sid == sid)
            .values(
                consecutive_failures=table.c.consecutive_failures + 1,
                failing_since=sa.func.coalesce(table.c.failing_since, outcome.started),
                last_failure=outcome.result.error,
            )
            .returning(
                *[
                    c
                    for c in (table.c.consecutive_failures, table.c.get("is_active"))
                    if c is not None
                ]
            )
        )
    ).first()
    if row is None or table is not webhook_subscriptions:
        return
    failures = int(row.consecutive_failures)
    gone = outcome.result.status_code == GONE
    disable_after = rules_of(outcome.item).disable_threshold(health.disable_after)
    if row.is_active and (gone or failures >= disable_after):
        reason = (
            "the receiver answered 410 Gone"
            if gone
            else f"disabled after {failures} consecutive failed deliveries"
        )
        await conn.execute(
            table.update().where(table.c.sid == sid).values(is_active=False, disabled_reason=reason)
        )
        event = await warn(conn, outcome, "webhook.disabled", failures, reason)
        notes.append(
            (
                f"webhook {sid} disabled: {reason}",
                {
                    "webhook": sid,
                    "name": outcome.item.target.name,
                    "url": outcome.item.target.url,
                    "consecutive_failures": failures,
                    "reason": reason,
                    "delivery": outcome.item.sid,
                    "event": event.sid,
                },
            )
        )
    elif failures in health.warn_after:
        await warn(conn, outcome, "webhook.failing", failures, None)


async def warn(
    conn: Connection, outcome: Outcome, type: str, failures: int, reason: str | None
) -> Event:
    """Tell the account's default contact group about a failing or disabled endpoint."""
    row, account_sid = outcome.item.target, outcome.item.event.account_sid
    group = (
        await conn.execute(
            sa.select(contact_groups.c.sid).where(
                contact_groups.c.account_sid == account_sid, contact_groups.c.is_default.is_(True)
            )
        )
    ).scalar_one_or_none()
    name = row.name or row.url
    error = outcome.result.error
    description = (
        f"Webhook {name} was disabled: {reason}."
        if type == "webhook.disabled"
        else f"Webhook {name} has failed {failures} deliveries in a row (last: {error})."
    )
    return await record_event(
        conn,
        account_sid=account_sid,
        type=type,
        description=description,
        payload={
            "webhook": {"sid": row.sid, "name": row.name, "url": row.url},
            "consecutive_failures": failures,
            "last_error": error,
            "disabled_reason": reason,
        },
        now=outcome.finished,
        resource_type="webhook",
        resource_sid=row.sid,
        contact_groups=[group] if group else [],
    )
