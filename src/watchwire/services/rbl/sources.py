"""Blocklist sources (003's "Sources"): the built-in catalogue (stable SIDs, shared) and the
account's custom sources. Catalogue sources can be paused per account, not changed or
deleted; a change reaches this process's next check at once (the checker forgets the
account's plans)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.errors import ForbiddenError, NotFoundError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.rbl.checker import RblChecker
from watchwire.services.rbl.fields import (
    SOURCE_FIELDS,
    choice,
    custom_codes_of,
    unknown_fields,
    zone_of,
)
from watchwire.services.rbl.model import SOURCE_TYPES, Source, account_sources
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import rbl_paused_sources, rbl_profiles, rbl_sources


class RblSources:
    """The sources part of the blocklist service (services/rbl/service.py)."""

    db: Database
    clock: Clock
    checker: RblChecker

    async def list_sources(self, account_sid: str, page: PageRequest) -> Page[Source]:
        async with self.db.connect() as conn:
            sources = await account_sources(conn, account_sid)
        return Page(sources[page.offset : page.offset + page.per_page], len(sources), page)

    async def _source(self, conn: Connection, account_sid: str, sid: str) -> Source:
        for source in await account_sources(conn, account_sid):
            if source.sid == sid:
                return source
        raise NotFoundError("RBL source not found")

    async def get_source(self, account_sid: str, sid: str) -> Source:
        async with self.db.connect() as conn:
            return await self._source(conn, account_sid, sid)

    async def create_source(self, account_sid: str, fields: dict[str, Any]) -> Source:
        unknown_fields(fields, SOURCE_FIELDS)
        zone = zone_of(fields.get("host"))
        kind = choice(fields.get("type"), "type", SOURCE_TYPES)
        codes = custom_codes_of(fields.get("custom_codes"))
        sid = new_sid("rbl_source")
        async with self.db.transaction() as conn:
            await conn.execute(
                rbl_sources.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    host=zone,
                    type=kind,
                    custom_codes=codes,
                    paused=False,
                    created_at=self.clock.now(),
                )
            )
        self.checker.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)

    async def _custom(self, conn: Connection, account_sid: str, sid: str, verb: str) -> Source:
        source = await self._source(conn, account_sid, sid)
        if not source.custom:
            raise ForbiddenError(
                f"catalogue sources cannot be {verb}; pause it, or add a custom source",
                code="catalog_source",
            )
        return source

    async def update_source(self, account_sid: str, sid: str, fields: dict[str, Any]) -> Source:
        unknown_fields(fields, SOURCE_FIELDS)
        values: dict[str, Any] = {}
        if "host" in fields:
            values["host"] = zone_of(fields["host"])
        if "type" in fields:
            values["type"] = choice(fields["type"], "type", SOURCE_TYPES)
        if "custom_codes" in fields:
            values["custom_codes"] = custom_codes_of(fields["custom_codes"])
        async with self.db.transaction() as conn:
            await self._custom(conn, account_sid, sid, "changed")
            if values:
                await conn.execute(
                    rbl_sources.update().where(rbl_sources.c.sid == sid).values(values)
                )
        self.checker.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)

    async def delete_source(self, account_sid: str, sid: str) -> Source:
        async with self.db.transaction() as conn:
            shown = await self._custom(conn, account_sid, sid, "deleted")
            await conn.execute(rbl_sources.delete().where(rbl_sources.c.sid == sid))
            # Profiles that selected it stop naming it.
            rows = (
                await conn.execute(
                    sa.select(rbl_profiles.c.sid, rbl_profiles.c.entries).where(
                        rbl_profiles.c.account_sid == account_sid
                    )
                )
            ).all()
            for row in rows:
                if sid in row.entries:
                    entries = [e for e in row.entries if e != sid]
                    await conn.execute(
                        rbl_profiles.update()
                        .where(rbl_profiles.c.sid == row.sid)
                        .values(entries=entries)
                    )
        self.checker.forget(account_sid)  # checks use the new lists from now
        return shown

    async def set_source_paused(self, account_sid: str, sid: str, paused: bool) -> Source:
        async with self.db.transaction() as conn:
            source = await self._source(conn, account_sid, sid)
            if source.custom:
                await conn.execute(
                    rbl_sources.update().where(rbl_sources.c.sid == sid).values(paused=paused)
                )
            else:
                where = (
                    rbl_paused_sources.c.account_sid == account_sid,
                    rbl_paused_sources.c.source_sid == sid,
                )
                await conn.execute(rbl_paused_sources.delete().where(*where))
                if paused:
                    await conn.execute(
                        rbl_paused_sources.insert().values(
                            account_sid=account_sid, source_sid=sid, created_at=self.clock.now()
                        )
                    )
        self.checker.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)
