"""The rows of monitored domains, read and written inside a caller's connection: shared by the
service (every face) and the domain jobs (records, expiry, batches)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.config import Settings
from watchwire.engine.evaluate_domains import ExpectedRecord
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.services.contacts import resolve_groups
from watchwire.services.domains.fields import MAX_RECORDS, DomainIn, RecordIn
from watchwire.services.domains.records import DomainSettings
from watchwire.store.database import Connection
from watchwire.store.tables_domains import (
    domain_expiry,
    domain_records,
    domain_settings,
    monitored_domains,
)


def expected_of(rows: list[Any]) -> list[ExpectedRecord]:
    return [ExpectedRecord(r.type, r.host, r.value, r.priority) for r in rows]


async def settings_of(conn: Connection, account_sid: str, defaults: Settings) -> DomainSettings:
    """The account's check interval and expiry thresholds (the operator's defaults when it
    set none)."""
    row = (
        await conn.execute(
            sa.select(domain_settings).where(domain_settings.c.account_sid == account_sid)
        )
    ).first()
    if row is None:
        return DomainSettings(
            defaults.domain_check_interval_seconds, tuple(defaults.domain_expiry_days)
        )
    return DomainSettings(row.check_interval_seconds, tuple(row.expiry_days))


def _where(account_sid: str, ref: str) -> Any:
    column = monitored_domains.c.sid if is_sid("domain", ref) else monitored_domains.c.domain
    value = ref if is_sid("domain", ref) else ref.strip().rstrip(".").lower()
    return sa.and_(monitored_domains.c.account_sid == account_sid, column == value)


async def domain_row(conn: Connection, account_sid: str, ref: str) -> Any:
    """The account's domain named by SID or name; NotFoundError otherwise."""
    found = (
        await conn.execute(sa.select(monitored_domains).where(_where(account_sid, ref)))
    ).first()
    if found is None:
        raise NotFoundError("Domain not found")
    return found


async def records_of(conn: Connection, sid: str) -> list[Any]:
    return list(
        (
            await conn.execute(
                sa.select(domain_records)
                .where(domain_records.c.domain_sid == sid)
                .order_by(domain_records.c.id)
            )
        ).all()
    )


async def insert_records(
    conn: Connection, sid: str, records: list[RecordIn], now: datetime
) -> None:
    existing = {e.key for e in expected_of(await records_of(conn, sid))}
    fresh = []
    for record in records:
        key = record.expected().key
        if key in existing:
            continue  # the same record twice is one record
        existing.add(key)
        fresh.append({**record.model_dump(), "domain_sid": sid, "created_at": now})
    if len(existing) > MAX_RECORDS:
        raise ValidationError.field(
            "records", "max_items", f"a domain has at most {MAX_RECORDS} records"
        )
    if fresh:
        await conn.execute(domain_records.insert(), fresh)


async def insert_domain(conn: Connection, account_sid: str, fields: DomainIn, now: datetime) -> str:
    """Inside the caller's transaction: a new domain, its records and its expiry watch,
    first checked within a few seconds. ConflictError when the account has it already."""
    taken = (
        await conn.execute(
            sa.select(monitored_domains.c.sid).where(
                monitored_domains.c.account_sid == account_sid,
                monitored_domains.c.domain == fields.domain,
            )
        )
    ).first()
    if taken is not None:
        raise ConflictError(
            f"{fields.domain} is already monitored ({taken.sid})", code="domain_exists"
        )
    groups = await resolve_groups(conn, account_sid, fields.contact_groups)
    sid = new_sid("domain")
    first = now + timedelta(seconds=random.uniform(0, 10))
    await conn.execute(
        monitored_domains.insert().values(
            sid=sid,
            account_sid=account_sid,
            domain=fields.domain,
            user_id=fields.user_id,
            contact_groups=groups,
            paused=fields.paused,
            state="pending",
            missing=[],
            observed={},
            next_run_at=first,
            created_at=now,
            updated_at=now,
        )
    )
    await insert_records(conn, sid, fields.records, now)
    await conn.execute(
        domain_expiry.insert().values(
            sid=sid,
            account_sid=account_sid,
            domain=fields.domain,
            paused=fields.paused,
            status="pending",
            next_run_at=first,
        )
    )
    return sid
