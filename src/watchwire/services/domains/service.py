"""Monitored domains (Entri 002): domains with their expected DNS records, checked on a
schedule; batch creation processed in the background; the expiry watch of each domain;
per-account check settings. The rules of every face; the checks themselves are the jobs
beside this module (records_check.py, expiry_check.py, batches.py), which the engine runs
and "check now" runs here.

Every call is scoped to an account: another account's domain is "not found". A domain is
named by its SID (`DM…`) or by its name, which is unique per account.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.config import Settings
from watchwire.engine import leases
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import check_offset
from watchwire.probes.base import ProbeContext
from watchwire.services.contacts import resolve_groups
from watchwire.services.domains.batches import DomainBatchJob
from watchwire.services.domains.expiry_check import DomainExpiryJob
from watchwire.services.domains.fields import (
    MAX_BATCH,
    MAX_LIMIT,
    MAX_RECORDS,
    DomainIn,
    RecordIn,
    SettingsIn,
    validate,
)
from watchwire.services.domains.queries import (
    domain_row,
    expected_of,
    insert_domain,
    insert_records,
    records_of,
    settings_of,
)
from watchwire.services.domains.records import (
    Batch,
    BatchAccepted,
    DnsRecord,
    Domain,
    DomainList,
    DomainSettings,
    batch_record,
    dns_record,
    domain_record,
)
from watchwire.services.domains.records_check import DomainRecordsJob
from watchwire.services.domains.summary import DomainSummary, summary_of
from watchwire.store.database import Connection, Database
from watchwire.store.tables_domains import (
    domain_batches,
    domain_expiry,
    domain_records,
    domain_settings,
    monitored_domains,
)
from watchwire.timeparse import parse_time


def _date_bound(value: str, field: str, end: bool) -> datetime:
    """002's from_date/to_date: a date (the whole day) or an ISO 8601 time."""
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
        self.settings = settings
        # The scheduled work, registered with the engine at assembly (background.py).
        self.records_job = DomainRecordsJob(db, clock, probe_ctx, settings)
        self.expiry_job = DomainExpiryJob(db, clock, probe_ctx, settings)
        self.batch_job = DomainBatchJob(db, clock)

    # -- settings ---------------------------------------------------------------------------

    async def get_settings(self, account_sid: str) -> DomainSettings:
        async with self.db.connect() as conn:
            return await settings_of(conn, account_sid, self.settings)

    async def update_settings(
        self, account_sid: str, raw: dict[str, Any], *, min_interval: int
    ) -> DomainSettings:
        changes = validate(SettingsIn, raw)
        if changes.check_interval is not None and changes.check_interval < min_interval:
            raise ValidationError.field(
                "check_interval",
                "minimum",
                f"check_interval: your plan allows {min_interval} s or more",
            )
        now = self.clock.now()
        async with self.db.transaction() as conn:
            current = await settings_of(conn, account_sid, self.settings)
            interval = int(changes.check_interval or current.check_interval_seconds)
            values = {
                "check_interval_seconds": interval,
                "expiry_days": changes.expiry_days or list(current.expiry_days),
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
            return await settings_of(conn, account_sid, self.settings)

    # -- reading ----------------------------------------------------------------------------

    async def _render(self, conn: Connection, row: Any) -> Domain:
        return (await self._render_many(conn, [row]))[0]

    async def _render_many(self, conn: Connection, rows: Sequence[Any]) -> list[Domain]:
        """Domains with their records and expiry (two queries)."""
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
        now = self.clock.now()
        return [domain_record(r, records[r.sid], expiries.get(r.sid), now) for r in rows]

    async def get(self, account_sid: str, ref: str) -> Domain:
        async with self.db.connect() as conn:
            return await self._render(conn, await domain_row(conn, account_sid, ref))

    async def summary(self, account_sid: str) -> DomainSummary:
        async with self.db.connect() as conn:
            return await summary_of(conn, account_sid, self.settings)

    async def list_domains(
        self,
        account_sid: str,
        *,
        offset: int = 0,
        limit: int = 25,
        from_date: str | None = None,
        to_date: str | None = None,
    ) -> DomainList:
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
        return DomainList(tuple(items), int(total), offset, limit)

    # -- writing ----------------------------------------------------------------------------

    async def create(self, account_sid: str, raw: dict[str, Any]) -> Domain:
        fields = validate(DomainIn, raw)
        async with self.db.transaction() as conn:
            sid = await insert_domain(conn, account_sid, fields, self.clock.now())
        return await self.get(account_sid, sid)

    async def update(self, account_sid: str, ref: str, raw: dict[str, Any]) -> Domain:
        """Change `user_id`, `paused`, `contact_groups`, or replace `records` (002's PUT)."""
        allowed = {"user_id", "paused", "contact_groups", "records", "dnsRecords", "domain"}
        for name in raw:
            if name not in allowed:
                raise ValidationError.field(name, "unknown_field", f"{name}: unknown field")
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
            if (
                "domain" in raw
                and validate(DomainIn, {"domain": raw["domain"]}).domain != row.domain
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
            fields = validate(DomainIn, merged)
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
                await insert_records(conn, row.sid, fields.records, now)
                values["next_run_at"] = now
            await conn.execute(
                monitored_domains.update().where(monitored_domains.c.sid == row.sid).values(values)
            )
            await conn.execute(
                domain_expiry.update()
                .where(domain_expiry.c.sid == row.sid)
                .values(paused=fields.paused)
            )
            return await self._render(conn, await domain_row(conn, account_sid, row.sid))

    async def delete(self, account_sid: str, ref: str) -> Domain:
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
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
        return [validate(RecordIn, item, f"records.{i}.") for i, item in enumerate(items)]

    async def records(self, account_sid: str, ref: str) -> list[DnsRecord]:
        async with self.db.connect() as conn:
            row = await domain_row(conn, account_sid, ref)
            return [dns_record(r) for r in await records_of(conn, row.sid)]

    async def add_records(self, account_sid: str, ref: str, raw: Any) -> list[DnsRecord]:
        records = self._records_in(raw)
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
            await insert_records(conn, row.sid, records, now)
            await self._touch(conn, row.sid, now)
            return [dns_record(r) for r in await records_of(conn, row.sid)]

    async def replace_records(self, account_sid: str, ref: str, raw: Any) -> list[DnsRecord]:
        records = self._records_in(raw)
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
            await conn.execute(
                domain_records.delete().where(domain_records.c.domain_sid == row.sid)
            )
            await insert_records(conn, row.sid, records, now)
            await self._touch(conn, row.sid, now)
            return [dns_record(r) for r in await records_of(conn, row.sid)]

    async def delete_records(self, account_sid: str, ref: str, raw: Any) -> list[DnsRecord]:
        """Stop monitoring the records named by type, host and value (ttl is ignored)."""
        records = self._records_in(raw)
        wanted = {r.expected().key for r in records}
        now = self.clock.now()
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
            rows = await records_of(conn, row.sid)
            doomed = [r.id for r, e in zip(rows, expected_of(rows), strict=True) if e.key in wanted]
            if len(doomed) < len(wanted):
                raise NotFoundError("Record not found on this domain")
            await conn.execute(domain_records.delete().where(domain_records.c.id.in_(doomed)))
            await self._touch(conn, row.sid, now)
            return [dns_record(r) for r in await records_of(conn, row.sid)]

    async def _touch(self, conn: Connection, sid: str, now: datetime) -> None:
        # Changed expectations are checked at once (the next check decides missing/restored).
        await conn.execute(
            monitored_domains.update()
            .where(monitored_domains.c.sid == sid)
            .values(updated_at=now, next_run_at=now)
        )

    # -- batches ----------------------------------------------------------------------------

    async def create_batch(self, account_sid: str, raw: Any) -> BatchAccepted:
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
            validate(DomainIn, item, f"domains.{index}.")
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
        return BatchAccepted(sid=sid, status="pending", total=len(items))

    async def batch_status(self, account_sid: str, request_id: str) -> Batch:
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
        return batch_record(row)

    # -- checks -----------------------------------------------------------------------------

    async def check_now(self, account_sid: str, ref: str) -> Domain:
        """Run the domain's record check (and its expiry check) now, through the jobs' code,
        and return the fresh state. ConflictError while a worker is checking its records."""
        now = self.clock.now()
        owner = "api-" + new_sid("domain")[2:14]
        async with self.db.transaction() as conn:
            row = await domain_row(conn, account_sid, ref)
            records = await leases.claim_now(
                conn, monitored_domains, row.sid, owner, now, self.records_job.lease_seconds
            )
            if records is None:
                raise ConflictError("A check of this domain is running", code="check_in_progress")
            expiry = await leases.claim_now(
                conn, domain_expiry, row.sid, owner, now, self.expiry_job.lease_seconds
            )
        # A check taken over meanwhile by a worker is that worker's to write.
        with contextlib.suppress(leases.LeaseLost):
            await self.records_job.run(records, owner)
        if expiry is not None:
            with contextlib.suppress(leases.LeaseLost):
                await self.expiry_job.run(expiry, owner)
        return await self.get(account_sid, row.sid)
