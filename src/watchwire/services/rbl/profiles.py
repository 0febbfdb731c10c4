"""Monitoring profiles (003's "Monitoring Profiles"): which lists are checked and how often
(`1_hour … 2_weeks`). `stay_in_sync` follows the catalogue (and the account's custom
sources); giving `entries` makes it `use_my_selections`, which needs at least one entry. One
profile per account is the default: the first one, or the last one marked so. A host named
without a profile gets the default, created (`Default`, stay in sync, every 24 hours) when
there is none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.rbl.checker import RblChecker
from watchwire.services.rbl.fields import (
    PROFILE_FIELDS,
    boolean,
    choice,
    name_of,
    split_list,
    unknown_fields,
)
from watchwire.services.rbl.model import (
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    SYNC_METHODS,
    account_sources,
)
from watchwire.services.rbl.plans import default_profile
from watchwire.services.rbl.records import RblProfile, profile_record
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import rbl_hosts, rbl_profiles


async def _clear_default(conn: Connection, account_sid: str) -> None:
    await conn.execute(
        rbl_profiles.update()
        .where(rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True))
        .values(is_default=False)
    )


async def _has_default(conn: Connection, account_sid: str) -> bool:
    found = (
        await conn.execute(
            sa.select(rbl_profiles.c.sid).where(
                rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True)
            )
        )
    ).first()
    return found is not None


async def insert_profile(
    conn: Connection, account_sid: str, values: dict[str, Any], now: datetime
) -> str:
    """A new profile of the account; the default when asked or when it has none."""
    is_default = values.pop("is_default", False) or not await _has_default(conn, account_sid)
    if is_default:
        await _clear_default(conn, account_sid)
    sid = new_sid("rbl_profile")
    await conn.execute(
        rbl_profiles.insert().values(
            sid=sid,
            account_sid=account_sid,
            is_default=is_default,
            created_at=now,
            updated_at=now,
            **{"entries": [], **values},
        )
    )
    return sid


async def host_profile(conn: Connection, account_sid: str, sid: str | None, now: datetime) -> str:
    """The profile a host uses: the one named (the account's), else the default."""
    if sid is not None:
        if not isinstance(sid, str) or not is_sid("rbl_profile", sid):
            raise ValidationError.field("profile", "format", "profile must be an RP… SID")
        found = (
            await conn.execute(
                sa.select(rbl_profiles.c.sid).where(
                    rbl_profiles.c.sid == sid, rbl_profiles.c.account_sid == account_sid
                )
            )
        ).first()
        if found is None:
            raise ValidationError.field("profile", "not_found", f"no such profile: {sid}")
        return sid
    default = await default_profile(conn, account_sid)
    if default is not None:
        return default
    values = {"name": "Default", "frequency": DEFAULT_FREQUENCY, "sync_method": "stay_in_sync"}
    return await insert_profile(conn, account_sid, values, now)


class RblProfiles:
    """The profiles part of the blocklist service (services/rbl/service.py)."""

    db: Database
    clock: Clock
    checker: RblChecker

    async def _profile_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                sa.select(rbl_profiles).where(
                    rbl_profiles.c.sid == sid, rbl_profiles.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError("Monitoring profile not found")
        return row

    async def get_profile(self, account_sid: str, sid: str) -> RblProfile:
        async with self.db.connect() as conn:
            return profile_record(await self._profile_row(conn, account_sid, sid))

    async def list_profiles(self, account_sid: str, page: PageRequest) -> Page[RblProfile]:
        where = rbl_profiles.c.account_sid == account_sid
        async with self.db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(rbl_profiles).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(rbl_profiles)
                    .where(where)
                    .order_by(rbl_profiles.c.created_at, rbl_profiles.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([profile_record(r) for r in rows], int(total), page)

    async def _profile_values(
        self, conn: Connection, account_sid: str, fields: dict[str, Any], current: Any | None
    ) -> dict[str, Any]:
        """The columns of a profile after `fields`, with 003's sync_method rules applied."""
        unknown_fields(fields, PROFILE_FIELDS)
        values: dict[str, Any] = {}
        if "name" in fields or current is None:
            values["name"] = name_of(fields.get("name"))
        if "frequency" in fields or current is None:
            frequency = fields.get("frequency", DEFAULT_FREQUENCY)
            values["frequency"] = choice(frequency, "frequency", list(FREQUENCIES))
        entries = split_list(fields.get("entries"), "entries")
        method = fields.get("sync_method")
        if method is not None:
            method = choice(method, "sync_method", SYNC_METHODS)
        if entries:
            known = {s.sid for s in await account_sources(conn, account_sid)}
            for index, sid in enumerate(entries):
                if sid not in known:
                    raise ValidationError.field(
                        f"entries[{index}]", "not_found", f"no such RBL source: {sid}"
                    )
            values["entries"] = list(dict.fromkeys(entries))
            method = "use_my_selections"  # 003: set automatically when entries are given
        elif entries is not None:
            values["entries"] = []
        if method is not None or current is None:
            values["sync_method"] = method or "stay_in_sync"
        chosen = values.get("entries", current.entries if current is not None else [])
        if values.get("sync_method", getattr(current, "sync_method", None)) == "use_my_selections":
            if not chosen:
                raise ValidationError.field(
                    "entries", "required", "use_my_selections needs at least one entry"
                )
        if "is_default" in fields:
            values["is_default"] = boolean(fields["is_default"], "is_default")
        return values

    async def create_profile(self, account_sid: str, fields: dict[str, Any]) -> RblProfile:
        async with self.db.transaction() as conn:
            values = await self._profile_values(conn, account_sid, fields, None)
            sid = await insert_profile(conn, account_sid, values, self.clock.now())
        self.checker.forget(account_sid)  # checks use the new lists from now
        return await self.get_profile(account_sid, sid)

    async def update_profile(
        self, account_sid: str, sid: str, fields: dict[str, Any]
    ) -> RblProfile:
        async with self.db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            values = await self._profile_values(conn, account_sid, fields, row)
            if values.get("is_default") is True:
                await _clear_default(conn, account_sid)
            elif values.get("is_default") is False and row.is_default:
                raise ValidationError.field(
                    "is_default", "required", "mark another profile default instead"
                )
            values["updated_at"] = self.clock.now()
            await conn.execute(
                rbl_profiles.update().where(rbl_profiles.c.sid == sid).values(values)
            )
        self.checker.forget(account_sid)  # checks use the new lists from now
        return await self.get_profile(account_sid, sid)

    async def delete_profile(self, account_sid: str, sid: str) -> RblProfile:
        async with self.db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            used = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(rbl_hosts)
                    .where(rbl_hosts.c.profile_sid == sid)
                )
            ).scalar_one()
            if used:
                raise ConflictError(
                    f"the profile is used by {used} host(s): move them to another profile first",
                    code="profile_in_use",
                )
            await conn.execute(rbl_profiles.delete().where(rbl_profiles.c.sid == sid))
        self.checker.forget(account_sid)  # checks use the new lists from now
        return profile_record(row)
