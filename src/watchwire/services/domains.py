"""Monitored domains (Entri 002): domains with their expected DNS records, checked on a
schedule; batch creation processed in the background; the expiry watch of each domain;
per-account check settings.

Every call is scoped to an account: another account's domain is "not found". A domain is
named by its SID (`DM…`) or by its name, which is unique per account.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import pydantic
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator

from watchwire.clock import Clock, as_utc, isoformat
from watchwire.config import Settings
from watchwire.engine.evaluate_domains import ExpectedRecord
from watchwire.errors import ConflictError, NotFoundError, ProbeError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.pagination import check_offset
from watchwire.probes.base import ProbeContext
from watchwire.probes.rdap import normalise_domain
from watchwire.services.contacts import resolve_groups
from watchwire.store.database import Connection, Database
from watchwire.store.tables_domains import (
    domain_batches,
    domain_expiry,
    domain_records,
    domain_settings,
    monitored_domains,
)
from watchwire.text import SingleLine

MAX_BATCH = 100
MAX_RECORDS = 100
MAX_LIMIT = 100
RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SRV"]


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RecordType
    host: SingleLine = Field(default="@", min_length=1, max_length=253)
    value: str = Field(min_length=1, max_length=4096)
    ttl: int = Field(default=3600, ge=1, le=604800)
    priority: str | None = Field(default=None, max_length=8)

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        host = value.strip().rstrip(".").lower() or "@"
        if host != "@" and any(not label or len(label) > 63 for label in host.split(".")):
            raise ValueError("host must be @ or a name relative to the domain")
        return host

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip()
        if not text.isdigit() or int(text) > 65535:
            raise ValueError("priority must be a number from 0 to 65535")
        return text

    def expected(self) -> ExpectedRecord:
        return ExpectedRecord(self.type, self.host, self.value.strip(), self.priority)


class DomainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    domain: SingleLine = Field(min_length=3, max_length=253)
    user_id: SingleLine | None = Field(default=None, max_length=255)
    records: list[RecordIn] = Field(
        default_factory=list, max_length=MAX_RECORDS, validation_alias="dnsRecords"
    )
    paused: bool = False
    contact_groups: list[str] | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return normalise_domain(value)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check_interval: int | None = Field(default=None, ge=60, le=86400 * 7)
    expiry_days: list[int] | None = Field(default=None, min_length=1, max_length=10)

    @field_validator("expiry_days")
    @classmethod
    def _days(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 0 < d <= 365 for d in value):
            raise ValueError("each threshold is 1 to 365 days")
        return sorted(set(value), reverse=True) if value is not None else None


def _error(exc: pydantic.ValidationError, prefix: str = "") -> ValidationError:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] == "dnsRecords":
            loc[0] = "records"
        field = prefix + ".".join(loc) if loc else prefix.rstrip(".") or "body"
        message = str(err["msg"]).removeprefix("Value error, ")
        details.append({"field": field, "rule": err["type"], "message": f"{field}: {message}"})
    return ValidationError("; ".join(d["message"] for d in details), details=details)


def _validate(model: type[BaseModel], raw: Any, prefix: str = "") -> Any:
    if not isinstance(raw, dict):
        raise ValidationError.field(prefix.rstrip(".") or "body", "type", "expected an object")
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise _error(exc, prefix) from None
    except ProbeError as exc:  # normalise_domain inside a validator
        raise ValidationError.field(prefix + "domain", "domain", exc.message) from None


def _iso(value: datetime | None) -> str | None:
    return isoformat(value) if value is not None else None


def record_json(row: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"type": row.type, "host": row.host, "value": row.value, "ttl": row.ttl}
    if row.priority is not None:
        shown["priority"] = row.priority
    return shown


def expected_of(rows: list[Any]) -> list[ExpectedRecord]:
    return [ExpectedRecord(r.type, r.host, r.value, r.priority) for r in rows]


def _date_bound(value: str, field: str, end: bool) -> datetime:
    """002's from_date/to_date: a date (the whole day) or an ISO 8601 time."""
    from watchwire.timeparse import parse_time

    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return parse_time(value, field=field)
    if end and day == date.max:  # the day after cannot be represented
        return datetime.max.replace(tzinfo=UTC)
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


class DomainService:
    def __init__(
        self, db: Database, clock: Clock, probe_ctx: ProbeContext, settings: Settings
    ) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx
        self.settings = settings

    # -- settings ---------------------------------------------------------------------------

    async def settings_of(self, conn: Connection, account_sid: str) -> dict[str, Any]:
        row = (
            await conn.execute(
                sa.select(domain_settings).where(domain_settings.c.account_sid == account_sid)
            )
        ).first()
        return {
            "check_interval": row.check_interval_seconds
            if row
            else self.settings.domain_check_interval_seconds,
            "expiry_days": list(row.expiry_days) if row else list(self.settings.domain_expiry_days),
        }

    async def get_settings(self, account_sid: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return await self.settings_of(conn, account_sid)

    async def update_settings(
        self, account_sid: str, raw: dict[str, Any], *, min_interval: int
    ) -> dict[str, Any]:
        changes: SettingsIn = _validate(SettingsIn, raw)
        if changes.check_interval is not None and changes.check_interval < min_interval:
            raise ValidationError.field(
                "check_interval",
                "minimum",
                f"check_interval: your plan allows {min_interval} s or more",
            )
        now = self.clock.now()
        async with self.db.transaction() as conn:
            current = await self.settings_of(conn, account_sid)
            interval = int(changes.check_interval or current["check_interval"])
            values = {
                "check_interval_seconds": interval,
                "expiry_days": changes.expiry_days or current["expiry_days"],
                "updated_at": now,
            }
            updated = await conn.execute(
                domain_settings.update()
                .where(domain_settings.c.account_sid == account_sid)
                .values(values)
            )
            if not updated.rowcount:
                await conn.execute(
                    domain_settings.insert().values(account_sid=account_sid, **values)
                )
            # A shorter interval applies now, not after the next (longer) wait.
            await conn.execute(
                monitored_domains.update()
                .where(
                    monitored_domains.c.account_sid == account_sid,
                    monitored_domains.c.next_run_at > now + timedelta(seconds=interval),
                )
                .values(next_run_at=now + timedelta(seconds=interval))
            )
            return await self.settings_of(conn, account_sid)

    # -- reading ----------------------------------------------------------------------------

    def _where(self, account_sid: str, ref: str) -> Any:
        column = monitored_domains.c.sid if is_sid("domain", ref) else monitored_domains.c.domain
        value = ref if is_sid("domain", ref) else ref.strip().rstrip(".").lower()
        return sa.and_(monitored_domains.c.account_sid == account_sid, column == value)

    async def row(self, conn: Connection, account_sid: str, ref: str) -> Any:
        found = (
            await conn.execute(sa.select(monitored_domains).where(self._where(account_sid, ref)))
        ).first()
        if found is None:
            raise NotFoundError("Domain not found")
        return found

    async def records_of(self, conn: Connection, sid: str) -> list[Any]:
        return list(
            (
                await conn.execute(
                    sa.select(domain_records)
                    .where(domain_records.c.domain_sid == sid)
                    .order_by(domain_records.c.id)
                )
            ).all()
        )

    async def _render(self, conn: Connection, row: Any) -> dict[str, Any]:
        return (await self._render_many(conn, [row]))[0]

    async def _render_many(self, conn: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """Domains as the API shows them, with their records and expiry (two queries)."""
        sids = [r.sid for r in rows]
        records: dict[str, list[Any]] = {sid: [] for sid in sids}
        for record in (
            await conn.execute(
                sa.select(domain_records)
                .where(domain_records.c.domain_sid.in_(sids))
                .order_by(domain_records.c.id)
            )
        ).all():
            records[record.domain_sid].append(record)
        expiries = {
            e.sid: e
            for e in (
                await conn.execute(sa.select(domain_expiry).where(domain_expiry.c.sid.in_(sids)))
            ).all()
        }
        return [self._domain_json(r, records[r.sid], expiries.get(r.sid)) for r in rows]

    def _domain_json(self, row: Any, records: list[Any], expiry: Any) -> dict[str, Any]:
        missing = set(row.missing)
        non_propagated = [
            record_json(r)
            for r, e in zip(records, expected_of(records), strict=True)
            if e.key in missing
        ]
        return {
            "sid": row.sid,
            "domain": row.domain,
            "user_id": row.user_id,
            "status": "paused" if row.paused else "active",
            "state": row.state,
            "records": [record_json(r) for r in records],
            "records_non_propagated": non_propagated,
            "contact_groups": row.contact_groups,
            "last_checked_at": _iso(row.last_checked_at),
            "last_error": row.last_error,
            "state_changed_at": _iso(row.state_changed_at),
            "next_check_at": _iso(row.next_run_at),
            "expiry": self._expiry_json(expiry),
            "created_at": isoformat(row.created_at),
            "updated_at": isoformat(row.updated_at),
        }

    def _expiry_json(self, row: Any) -> dict[str, Any] | None:
        if row is None:
            return None
        expires = as_utc(row.expires_at)
        days_left = (expires - self.clock.now()).days if expires else None
        return {
            "status": row.status,
            "expires_at": _iso(expires),
            "days_left": days_left,
            "registrar": row.registrar,
            "rdap_server": row.rdap_server,
            "checked_at": _iso(row.checked_at),
            "error": row.error,
        }

    async def get(self, account_sid: str, ref: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return await self._render(conn, await self.row(conn, account_sid, ref))

    async def list_domains(
        self,
        account_sid: str,
        *,
        offset: int = 0,
        limit: int = 25,
        from_date: str | None = None,
        to_date: str | None = None,
    ) -> dict[str, Any]:
        """002's list: `offset`, `limit` (1 to 100), `from_date`/`to_date` on the creation time
        (a date covers its whole day). Oldest first."""
        check_offset(offset)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError.field("limit", "range", f"limit must be 1 to {MAX_LIMIT}")
        where = [monitored_domains.c.account_sid == account_sid]
        if from_date:
            where.append(
                monitored_domains.c.created_at >= _date_bound(from_date, "from_date", False)
            )
        if to_date:
            where.append(monitored_domains.c.created_at < _date_bound(to_date, "to_date", True))
        async with self.db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(monitored_domains).where(*where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(monitored_domains)
                    .where(*where)
                    .order_by(monitored_domains.c.created_at, monitored_domains.c.sid)
                    .offset(offset)
                    .limit(limit)
                )
            ).all()
            items = await self._render_many(conn, rows)
        return {"domains": items, "total": int(total), "offset": offset, "limit": limit}

    # -- writing ----------------------------------------------------------------------------

    async def _insert_records(
        self, conn: Connection, sid: str, records: list[RecordIn], now: datetime
    ) -> None:
        existing = {e.key for e in expected_of(await self.records_of(conn, sid))}
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

    async def insert_domain(
        self, conn: Connection, account_sid: str, fields: DomainIn, now: datetime
    ) -> str:
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
        await self._insert_records(conn, sid, fields.records, now)
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

    async def create(self, account_sid: str, raw: dict[str, Any]) -> dict[str, Any]:
        fields: DomainIn = _validate(DomainIn, raw)
        async with self.db.transaction() as conn:
            sid = await self.insert_domain(conn, account_sid, fields, self.clock.now())
        return await self.get(account_sid, sid)

    async def update(self, account_sid: str, ref: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Change `user_id`, `paused`, `contact_groups`, or replace `records` (002's PUT)."""
        allowed = {"user_id", "paused", "contact_groups", "records", "dnsRecords", "domain"}
        for name in raw:
            if name not in allowed:
                raise ValidationError.field(name, "unknown_field", f"{name}: unknown field")
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            if (
                "domain" in raw
                and _validate(DomainIn, {"domain": raw["domain"]}).domain != row.domain
            ):
                raise ValidationError.field("domain", "immutable", "domain cannot change")
            merged = {
                "domain": row.domain,
                "user_id": raw.get("user_id", row.user_id),
                "paused": raw.get("paused", row.paused),
                "contact_groups": raw.get("contact_groups", row.contact_groups),
            }
            if "records" in raw or "dnsRecords" in raw:
                merged["records"] = raw.get("records", raw.get("dnsRecords"))
            fields: DomainIn = _validate(DomainIn, merged)
            values: dict[str, Any] = {
                "user_id": fields.user_id,
                "paused": fields.paused,
                "updated_at": now,
                "contact_groups": await resolve_groups(conn, account_sid, fields.contact_groups),
            }
            if row.paused and not fields.paused:
                values["next_run_at"] = now
            if "records" in merged:
                await conn.execute(
                    domain_records.delete().where(domain_records.c.domain_sid == row.sid)
                )
                await self._insert_records(conn, row.sid, fields.records, now)
                values["next_run_at"] = now
            await conn.execute(
                monitored_domains.update().where(monitored_domains.c.sid == row.sid).values(values)
            )
            await conn.execute(
                domain_expiry.update()
                .where(domain_expiry.c.sid == row.sid)
                .values(paused=fields.paused)
            )
            return await self._render(conn, await self.row(conn, account_sid, row.sid))

    async def delete(self, account_sid: str, ref: str) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            shown = await self._render(conn, row)
            for table, column in (
                (domain_records, domain_records.c.domain_sid),
                (domain_expiry, domain_expiry.c.sid),
                (monitored_domains, monitored_domains.c.sid),
            ):
                await conn.execute(table.delete().where(column == row.sid))
        return shown

    # -- records ----------------------------------------------------------------------------

    def _records_in(self, raw: Any) -> list[RecordIn]:
        items = raw.get("records", raw.get("dnsRecords")) if isinstance(raw, dict) else raw
        if not isinstance(items, list) or not items:
            raise ValidationError.field("records", "required", "records: a non-empty list")
        if len(items) > MAX_RECORDS:
            raise ValidationError.field("records", "max_items", f"at most {MAX_RECORDS} records")
        return [_validate(RecordIn, item, f"records.{i}.") for i, item in enumerate(items)]

    async def records(self, account_sid: str, ref: str) -> list[dict[str, Any]]:
        async with self.db.connect() as conn:
            row = await self.row(conn, account_sid, ref)
            return [record_json(r) for r in await self.records_of(conn, row.sid)]

    async def add_records(self, account_sid: str, ref: str, raw: Any) -> list[dict[str, Any]]:
        records = self._records_in(raw)
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            await self._insert_records(conn, row.sid, records, now)
            await self._touch(conn, row.sid, now)
            return [record_json(r) for r in await self.records_of(conn, row.sid)]

    async def replace_records(self, account_sid: str, ref: str, raw: Any) -> list[dict[str, Any]]:
        records = self._records_in(raw)
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            await conn.execute(
                domain_records.delete().where(domain_records.c.domain_sid == row.sid)
            )
            await self._insert_records(conn, row.sid, records, now)
            await self._touch(conn, row.sid, now)
            return [record_json(r) for r in await self.records_of(conn, row.sid)]

    async def delete_records(self, account_sid: str, ref: str, raw: Any) -> list[dict[str, Any]]:
        """Stop monitoring the records named by type, host and value (ttl is ignored)."""
        records = self._records_in(raw)
        wanted = {r.expected().key for r in records}
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            rows = await self.records_of(conn, row.sid)
            doomed = [r.id for r, e in zip(rows, expected_of(rows), strict=True) if e.key in wanted]
            if len(doomed) < len(wanted):
                raise NotFoundError("Record not found on this domain")
            await conn.execute(domain_records.delete().where(domain_records.c.id.in_(doomed)))
            await self._touch(conn, row.sid, now)
            return [record_json(r) for r in await self.records_of(conn, row.sid)]

    async def _touch(self, conn: Connection, sid: str, now: datetime) -> None:
        # Changed expectations are checked at once (the next check decides missing/restored).
        await conn.execute(
            monitored_domains.update()
            .where(monitored_domains.c.sid == sid)
            .values(updated_at=now, next_run_at=now)
        )

    # -- batches ----------------------------------------------------------------------------

    async def create_batch(self, account_sid: str, raw: Any) -> dict[str, Any]:
        """Accept up to 100 domains; they are created by the batch job, in order. Each item
        is checked for shape now (a malformed item fails the request, naming it) and for
        conflicts when processed (reported per domain in the status)."""
        items = raw.get("domains") if isinstance(raw, dict) else raw
        if not isinstance(items, list) or not items:
            raise ValidationError.field("domains", "required", "domains: a non-empty list")
        if len(items) > MAX_BATCH:
            raise ValidationError.field(
                "domains", "max_items", f"domains: at most {MAX_BATCH} per request"
            )
        for index, item in enumerate(items):
            _validate(DomainIn, item, f"domains.{index}.")
        now = self.clock.now()
        sid = new_sid("batch")
        async with self.db.transaction() as conn:
            await conn.execute(
                domain_batches.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    status="pending",
                    items=items,
                    results=[],
                    paused=False,
                    next_run_at=now,
                    created_at=now,
                )
            )
        return {"request_id": sid, "status": "pending", "total": len(items)}

    async def batch_status(self, account_sid: str, request_id: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(domain_batches).where(
                        domain_batches.c.sid == request_id,
                        domain_batches.c.account_sid == account_sid,
                    )
                )
            ).first()
        if row is None:
            raise NotFoundError("Batch request not found")
        return batch_json(row)

    # -- checks -----------------------------------------------------------------------------

    async def check_now(self, account_sid: str, ref: str) -> dict[str, Any]:
        """Run the domain's record check (and its expiry check) now, through the job's code
        path, and return the fresh state. ConflictError while a worker is checking it."""
        from watchwire.engine import domain_job

        now = self.clock.now()
        owner = "api-" + new_sid("domain")[2:14]
        lease_until = now + timedelta(seconds=domain_job.RECORDS_LEASE)
        async with self.db.transaction() as conn:
            row = await self.row(conn, account_sid, ref)
            free = sa.or_(
                monitored_domains.c.lease_expires_at.is_(None),
                monitored_domains.c.lease_expires_at <= now,
            )
            claimed = await conn.execute(
                monitored_domains.update()
                .where(monitored_domains.c.sid == row.sid, free)
                .values(lease_owner=owner, lease_expires_at=lease_until, next_run_at=now)
            )
            if not claimed.rowcount:
                raise ConflictError("A check of this domain is running", code="check_in_progress")
            await conn.execute(
                domain_expiry.update()
                .where(
                    domain_expiry.c.sid == row.sid,
                    sa.or_(
                        domain_expiry.c.lease_expires_at.is_(None),
                        domain_expiry.c.lease_expires_at <= now,
                    ),
                )
                .values(lease_owner=owner, lease_expires_at=lease_until, next_run_at=now)
            )
            claimed_row = (
                await conn.execute(
                    sa.select(monitored_domains).where(monitored_domains.c.sid == row.sid)
                )
            ).one()
            expiry_row = (
                await conn.execute(sa.select(domain_expiry).where(domain_expiry.c.sid == row.sid))
            ).first()
        await domain_job.check_records(self, claimed_row, owner)
        if expiry_row is not None and expiry_row.lease_owner == owner:
            await domain_job.check_expiry(self, expiry_row, owner)
        return await self.get(account_sid, row.sid)


def batch_json(row: Any) -> dict[str, Any]:
    results = list(row.results)
    return {
        "request_id": row.sid,
        "status": row.status,
        "total": len(row.items),
        "processed": len(results),
        "succeeded": sum(1 for r in results if r.get("status") == "created"),
        "failed": sum(1 for r in results if r.get("status") == "failed"),
        "results": results,
        "errors": [
            {"domain": r.get("domain"), "error": r.get("error")}
            for r in results
            if r.get("status") == "failed"
        ],
        "created_at": isoformat(row.created_at),
        "completed_at": _iso(row.completed_at),
    }
