"""Certificate monitoring (003's "Cert Monitors", "Cert Profiles", "Errors"): profiles (one
default per account), monitors with pause/resume and "check now", and the list of active
errors. Fields are in spec.py, the records it answers in records.py, the check itself (the
scheduled job) in check.py.

Every call is scoped to an account: another account's row is "not found".
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.engine import leases
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.services.certs.check import CertCheckJob
from watchwire.services.certs.records import (
    CertError,
    CertMonitor,
    CertProfile,
    error_record,
    monitor_record,
    profile_record,
)
from watchwire.services.certs.spec import (
    DEFAULT_INTERVAL,
    MonitorFields,
    ProfileFields,
    profile_fields,
    validate,
)
from watchwire.services.contacts import resolve_groups
from watchwire.store.database import Connection, Database
from watchwire.store.tables_certs import cert_errors, cert_monitors, cert_profiles

R = TypeVar("R")


async def _owned(
    conn: Connection, table: sa.Table, account_sid: str, sid: str, missing: str
) -> Any:
    """The account's row `sid` of `table`; NotFoundError (`missing`) for another's or none."""
    where = (table.c.sid == sid, table.c.account_sid == account_sid)
    row = (await conn.execute(sa.select(table).where(*where))).first()
    if row is None:
        raise NotFoundError(missing)
    return row


class CertService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        probe_ctx: ProbeContext,
        *,
        default_interval: int = DEFAULT_INTERVAL,
    ) -> None:
        self._db = db
        self._clock = clock
        self._default_interval = default_interval
        # The scheduled check, registered with the engine at assembly (background.py).
        self.job = CertCheckJob(db, clock, probe_ctx)

    # -- profiles ---------------------------------------------------------------------------

    async def _profile_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        return await _owned(conn, cert_profiles, account_sid, sid, "Certificate profile not found")

    async def _make_default(self, conn: Connection, account_sid: str, sid: str) -> None:
        await conn.execute(
            cert_profiles.update()
            .where(cert_profiles.c.account_sid == account_sid, cert_profiles.c.sid != sid)
            .values(is_default=False)
        )
        await conn.execute(
            cert_profiles.update().where(cert_profiles.c.sid == sid).values(is_default=True)
        )

    async def _has_default(self, conn: Connection, account_sid: str) -> bool:
        found = (
            await conn.execute(
                sa.select(cert_profiles.c.sid).where(
                    cert_profiles.c.account_sid == account_sid,
                    cert_profiles.c.is_default == sa.true(),
                )
            )
        ).first()
        return found is not None

    async def _insert_profile(
        self, conn: Connection, account_sid: str, fields: ProfileFields
    ) -> str:
        now = self._clock.now()
        sid = new_sid("cert_profile")
        values = fields.model_dump()
        make_default = values.pop("is_default") or not await self._has_default(conn, account_sid)
        await conn.execute(
            cert_profiles.insert().values(
                sid=sid,
                account_sid=account_sid,
                is_default=False,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        if make_default:
            await self._make_default(conn, account_sid, sid)
        return sid

    async def create_profile(self, account_sid: str, raw: dict[str, Any]) -> CertProfile:
        """Create a profile. The account's first profile, or one with `is_default`, becomes
        the default (and the previous default stops being it)."""
        fields = validate(ProfileFields, raw)
        async with self._db.transaction() as conn:
            sid = await self._insert_profile(conn, account_sid, fields)
            return profile_record(await self._profile_row(conn, account_sid, sid))

    async def get_profile(self, account_sid: str, sid: str) -> CertProfile:
        async with self._db.connect() as conn:
            return profile_record(await self._profile_row(conn, account_sid, sid))

    async def list_profiles(self, account_sid: str, page: PageRequest) -> Page[CertProfile]:
        return await self._page(cert_profiles, account_sid, page, profile_record)

    async def update_profile(
        self, account_sid: str, sid: str, changes: dict[str, Any]
    ) -> CertProfile:
        """Change a profile. `is_default: true` takes the default over; `false` on the
        default is refused (an account keeps one default: make another the default)."""
        async with self._db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            merged = {**profile_fields(row), **changes}
            fields = validate(ProfileFields, merged)
            if row.is_default and not fields.is_default:
                raise ValidationError.field(
                    "is_default", "default", "make another profile the default instead"
                )
            values = fields.model_dump(exclude={"is_default"})
            await conn.execute(
                cert_profiles.update()
                .where(cert_profiles.c.sid == sid)
                .values(**values, updated_at=self._clock.now())
            )
            if fields.is_default and not row.is_default:
                await self._make_default(conn, account_sid, sid)
            return profile_record(await self._profile_row(conn, account_sid, sid))

    async def delete_profile(self, account_sid: str, sid: str) -> CertProfile:
        """Delete a profile no monitor uses (ConflictError otherwise)."""
        async with self._db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            used = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(cert_monitors)
                    .where(cert_monitors.c.profile_sid == sid)
                )
            ).scalar_one()
            if used:
                raise ConflictError(f"The profile is used by {used} certificate monitor(s)")
            await conn.execute(cert_profiles.delete().where(cert_profiles.c.sid == sid))
            return profile_record(row)

    async def _profile_for(self, conn: Connection, account_sid: str, sid: str | None) -> str:
        """The profile a monitor uses: `sid` checked, else the default (created with 003's
        defaults when the account has none)."""
        if sid is not None:
            try:
                return str((await self._profile_row(conn, account_sid, sid)).sid)
            except NotFoundError:
                raise ValidationError.field(
                    "profile", "not_found", f"no such certificate profile: {sid}"
                ) from None
        default = (
            await conn.execute(
                sa.select(cert_profiles.c.sid).where(
                    cert_profiles.c.account_sid == account_sid,
                    cert_profiles.c.is_default == sa.true(),
                )
            )
        ).scalar()
        if default:
            return str(default)
        fields = ProfileFields(name="Default", is_default=True)
        return await self._insert_profile(conn, account_sid, fields)

    # -- monitors ---------------------------------------------------------------------------

    async def _monitor_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        return await _owned(conn, cert_monitors, account_sid, sid, "Certificate monitor not found")

    async def _columns(
        self, conn: Connection, account_sid: str, fields: MonitorFields
    ) -> dict[str, Any]:
        return {
            "name": fields.name or fields.hostname,
            "hostname": fields.hostname,
            "protocol": fields.protocol,
            "port": fields.port,
            "profile_sid": await self._profile_for(conn, account_sid, fields.profile),
            "contact_groups": await resolve_groups(conn, account_sid, fields.contact_groups),
            "tags": fields.tags,
            "interval_seconds": fields.interval,
            "paused": fields.paused,
        }

    async def create_monitor(self, account_sid: str, raw: dict[str, Any]) -> CertMonitor:
        fields = validate(MonitorFields, {"interval": self._default_interval, **raw})
        now = self._clock.now()
        sid = new_sid("cert_monitor")
        async with self._db.transaction() as conn:
            await conn.execute(
                cert_monitors.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    **await self._columns(conn, account_sid, fields),
                    errors=[],
                    # First check soon, spread so a bulk import does not fire at once.
                    next_run_at=now + timedelta(seconds=secrets.randbelow(10_000) / 1000),
                    created_at=now,
                    updated_at=now,
                )
            )
            return monitor_record(await self._monitor_row(conn, account_sid, sid), now)

    async def get_monitor(self, account_sid: str, sid: str) -> CertMonitor:
        async with self._db.connect() as conn:
            row = await self._monitor_row(conn, account_sid, sid)
        return monitor_record(row, self._clock.now())

    async def list_monitors(
        self, account_sid: str, page: PageRequest, *, tag: str | None = None
    ) -> Page[CertMonitor]:
        now = self._clock.now()
        if tag is None:
            return await self._page(
                cert_monitors, account_sid, page, lambda r: monitor_record(r, now)
            )
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(cert_monitors)
                    .where(cert_monitors.c.account_sid == account_sid)
                    .order_by(cert_monitors.c.created_at, cert_monitors.c.sid)
                )
            ).all()
        items = [monitor_record(r, now) for r in rows if tag in r.tags]
        return Page(items[page.offset : page.offset + page.per_page], len(items), page)

    async def update_monitor(
        self, account_sid: str, sid: str, changes: dict[str, Any]
    ) -> CertMonitor:
        """Change a monitor; a new endpoint (hostname, protocol, port) starts afresh: its
        certificate, bracket and errors are forgotten without events, and it is checked now."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await self._monitor_row(conn, account_sid, sid)
            current = {
                "hostname": row.hostname,
                "protocol": row.protocol,
                "port": row.port,
                "name": row.name,
                "profile": row.profile_sid,
                "contact_groups": row.contact_groups,
                "tags": row.tags,
                "interval": row.interval_seconds,
                "paused": row.paused,
            }
            fields = validate(MonitorFields, {**current, **changes})
            values = {**await self._columns(conn, account_sid, fields), "updated_at": now}
            endpoint = (fields.hostname, fields.protocol, fields.port)
            if endpoint != (row.hostname, row.protocol, row.port):
                values.update(
                    fingerprint=None,
                    not_after=None,
                    certificate=None,
                    expiry_bracket=None,
                    errors=[],
                    next_run_at=now,
                )
                await conn.execute(cert_errors.delete().where(cert_errors.c.monitor_sid == sid))
            elif fields.interval != row.interval_seconds:
                values["next_run_at"] = now
            await conn.execute(
                cert_monitors.update().where(cert_monitors.c.sid == sid).values(values)
            )
            return monitor_record(await self._monitor_row(conn, account_sid, sid), now)

    async def set_paused(self, account_sid: str, sid: str, paused: bool) -> CertMonitor:
        """Pause (no checks) or resume (checked at once)."""
        now = self._clock.now()
        values: dict[str, Any] = {"paused": paused, "updated_at": now}
        if not paused:
            values["next_run_at"] = now
        async with self._db.transaction() as conn:
            await self._monitor_row(conn, account_sid, sid)
            await conn.execute(
                cert_monitors.update().where(cert_monitors.c.sid == sid).values(values)
            )
            return monitor_record(await self._monitor_row(conn, account_sid, sid), now)

    async def delete_monitor(self, account_sid: str, sid: str) -> CertMonitor:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await self._monitor_row(conn, account_sid, sid)
            await conn.execute(cert_monitors.delete().where(cert_monitors.c.sid == sid))
            await conn.execute(cert_errors.delete().where(cert_errors.c.monitor_sid == sid))
        return monitor_record(row, now)

    async def check_now(self, account_sid: str, sid: str) -> CertMonitor:
        """Run the monitor's check in this call, through the scheduled job's code, and return
        the fresh state. ConflictError when a worker is checking it right now."""
        owner = "check-now-" + secrets.token_hex(6)
        async with self._db.transaction() as conn:
            await self._monitor_row(conn, account_sid, sid)
            row = await leases.claim_now(
                conn, cert_monitors, sid, owner, self._clock.now(), self.job.lease_seconds
            )
        if row is None:
            raise ConflictError("A check of this monitor is running; try again shortly")
        with contextlib.suppress(leases.LeaseLost):  # taken over meanwhile: its result stands
            await self.job.run(row, owner)
        return await self.get_monitor(account_sid, sid)

    # -- active errors ------------------------------------------------------------------------

    async def list_errors(
        self, account_sid: str, page: PageRequest, *, monitor: str | None = None
    ) -> Page[CertError]:
        """The active errors across the account's monitors (or one monitor), newest first."""
        where = [cert_errors.c.account_sid == account_sid]
        if monitor is not None:
            where.append(cert_errors.c.monitor_sid == monitor)
        joined = cert_errors.join(cert_monitors, cert_monitors.c.sid == cert_errors.c.monitor_sid)
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(joined).where(*where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(
                        cert_errors,
                        cert_monitors.c.name.label("monitor_name"),
                        cert_monitors.c.hostname,
                        cert_monitors.c.protocol,
                    )
                    .select_from(joined)
                    .where(*where)
                    .order_by(cert_errors.c.first_seen.desc(), cert_errors.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        items = [error_record(r) for r in rows]
        return Page(items, int(total), page)

    async def count_errors(self, account_sid: str) -> int:
        async with self._db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(cert_errors)
                    .where(cert_errors.c.account_sid == account_sid)
                )
            ).scalar_one()
        return int(total)

    # -- shared -------------------------------------------------------------------------------

    async def _page(
        self, table: sa.Table, account_sid: str, page: PageRequest, shape: Callable[[Any], R]
    ) -> Page[R]:
        where = table.c.account_sid == account_sid
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(table).where(where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(table)
                    .where(where)
                    .order_by(table.c.created_at, table.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([shape(r) for r in rows], int(total), page)
