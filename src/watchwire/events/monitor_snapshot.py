"""The monitor as it stands when an event about it is made, carried in the event's payload
under `check` (the facts of events/updown_check.py): a webhook renders the check as it
was then, not as it is when the delivery goes out, and the delivery layer reads no
monitor. Built only when an event is made (rare), from the engine's row with the values the
batch is about to write (`pending`, the batch update's `v_` keys) laid over it; three small
reads add what the row lacks: the published page, the 30-day uptime and the recipients."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import as_utc
from watchwire.events.updown_check import CheckFacts, iso, recipient_ids
from watchwire.store.database import Connection
from watchwire.store.tables_contacts import contact_group_members, contacts
from watchwire.store.tables_engine import monitor_rollups
from watchwire.store.tables_status import status_pages
from watchwire.store.tables_webhooks import webhook_subscriptions

# updown's `uptime` covers the last month, as GET /api/checks counts it (whole hours).
UPTIME_WINDOW = timedelta(days=30)


async def _uptime(conn: Connection, sid: str, now: datetime) -> float | None:
    first_hour = now.replace(minute=0, second=0, microsecond=0) - UPTIME_WINDOW
    counted = monitor_rollups.c
    figures: Any = (
        await conn.execute(
            sa.select(
                sa.func.sum(counted.up_seconds + counted.down_seconds + counted.degraded_seconds),
                sa.func.sum(counted.down_seconds),
            ).where(counted.monitor_sid == sid, counted.hour >= first_hour)
        )
    ).one()
    total, down = figures
    if not total:
        return None
    return round(100.0 * (int(total) - int(down or 0)) / int(total), 4)


async def _recipients(conn: Connection, row: Any) -> list[str]:
    rows: list[Any] = list(
        (
            await conn.execute(
                sa.select(contacts.c.sid, contacts.c.type, contact_group_members.c.group_sid)
                .select_from(
                    contacts.outerjoin(
                        contact_group_members, contact_group_members.c.contact_sid == contacts.c.sid
                    )
                )
                .where(contacts.c.account_sid == row.account_sid)
                .order_by(contacts.c.created_at, contacts.c.sid)
            )
        ).all()
    )
    book: dict[str, tuple[str, list[str]]] = {}
    for sid, type_, group in rows:
        entry = book.setdefault(sid, (type_, []))
        if group is not None:
            entry[1].append(group)
    c = webhook_subscriptions.c
    webhooks = (
        await conn.execute(
            sa.select(c.sid)
            .where(c.account_sid == row.account_sid, c.disabled_reason.is_(None))
            .order_by(c.created_at, c.sid)
        )
    ).scalars()
    return recipient_ids(row.recipients, row.contact_groups, book, list(webhooks))


async def snapshot(
    conn: Connection, row: Any, now: datetime, pending: Mapping[str, Any] | None = None
) -> CheckFacts:
    """The facts of the check `row` (a monitors row), with `pending` laid over it."""
    laid = pending or {}

    def value(name: str) -> Any:
        key = "v_" + name
        return laid[key] if key in laid else getattr(row, name, None)

    def when(name: str) -> str | None:
        moment = value(name)
        return iso(as_utc(moment)) if isinstance(moment, datetime) else moment

    published = (
        await conn.execute(
            sa.select(status_pages.c.token).where(status_pages.c.published_monitor_sid == row.sid)
        )
    ).first()
    options = dict(row.options or {})
    return {
        "sid": row.sid,
        "name": row.name,
        "kind": row.kind,
        "target": row.target,
        "ping_token": row.ping_token,
        "options": {
            k: options[k] for k in ("keyword", "headers", "method", "body") if k in options
        },
        "interval": row.interval_seconds,
        "apdex_t_ms": row.apdex_t_ms,
        "paused": bool(row.paused),
        "mute_until": value("mute_until"),
        "state": value("state"),
        "state_changed_at": when("state_changed_at"),
        "failing_since": when("failing_since"),
        "last_checked_at": when("last_checked_at"),
        "last_error": value("last_error"),
        "last_status": value("last_status"),
        "next_run_at": when("next_run_at"),
        "created_at": when("created_at") or "",
        "published": published is not None,
        "favicon_url": None,  # watchwire records no site icon yet
        "disabled_locations": list(row.disabled_locations or ()),
        "ssl_checked_at": when("ssl_checked_at"),
        "ssl_not_after": value("ssl_not_after"),
        "ssl_valid": value("ssl_valid"),
        "ssl_error": value("ssl_error"),
        "domain_known": value("domain_name") is not None,
        "domain_checked_at": when("domain_checked_at"),
        "domain_expires_at": when("domain_expires_at"),
        "uptime": await _uptime(conn, row.sid, now),
        "recipients": await _recipients(conn, row),
    }
