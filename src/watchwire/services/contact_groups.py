"""Contact groups (003's `/contact/groups…`): named sets of contacts.

Monitors, certificates, domains and blocklist hosts name groups, and their events fan out to
the groups' active contacts. At most one group per account is the default, used when a new
contact or resource names none (`resolve_groups` in services/contacts.py); marking a group
default clears the previous one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock
from watchwire.errors import NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.contacts import owned_sids
from watchwire.store.database import Connection, Database
from watchwire.store.tables_contacts import contact_group_members, contacts
from watchwire.store.tables_contacts import contact_groups as groups_table

NOT_FOUND = "Resource not found"


@dataclass(frozen=True, slots=True)
class ContactGroup:
    sid: str
    name: str
    is_default: bool
    contacts: tuple[str, ...]
    created_at: datetime


def _group(row: Any, members: Sequence[str]) -> ContactGroup:
    return ContactGroup(
        sid=row.sid,
        name=row.name,
        is_default=bool(row.is_default),
        contacts=tuple(members),
        created_at=row.created_at,
    )


class ContactGroupService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def _members_of(
        self, conn: Connection, group_sids: Sequence[str]
    ) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {sid: [] for sid in group_sids}
        if group_sids:
            rows = await conn.execute(
                sa.select(contact_group_members.c.group_sid, contact_group_members.c.contact_sid)
                .where(contact_group_members.c.group_sid.in_(list(group_sids)))
                .order_by(contact_group_members.c.contact_sid)
            )
            for row in rows:
                result[row.group_sid].append(row.contact_sid)
        return result

    async def _read_group(self, conn: Connection, account_sid: str, sid: str) -> ContactGroup:
        row = (
            await conn.execute(
                sa.select(groups_table).where(
                    groups_table.c.sid == sid, groups_table.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError(NOT_FOUND)
        return _group(row, (await self._members_of(conn, [sid]))[sid])

    async def get_group(self, account_sid: str, sid: str) -> ContactGroup:
        async with self._db.connect() as conn:
            return await self._read_group(conn, account_sid, sid)

    async def list_groups(self, account_sid: str, page: PageRequest) -> Page[ContactGroup]:
        where = groups_table.c.account_sid == account_sid
        async with self._db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(groups_table).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(groups_table)
                    .where(where)
                    .order_by(groups_table.c.created_at, groups_table.c.sid)
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
            members = await self._members_of(conn, [r.sid for r in rows])
        return Page([_group(r, members[r.sid]) for r in rows], int(total), page)

    async def _make_default(self, conn: Connection, account_sid: str, sid: str) -> None:
        # Clear the old default first: the unique index allows one default per account.
        await conn.execute(
            groups_table.update()
            .where(
                groups_table.c.account_sid == account_sid,
                groups_table.c.is_default == sa.true(),
                groups_table.c.sid != sid,
            )
            .values(is_default=False)
        )
        await conn.execute(
            groups_table.update().where(groups_table.c.sid == sid).values(is_default=True)
        )

    async def _set_members_of_group(
        self, conn: Connection, account_sid: str, sid: str, members: Sequence[str]
    ) -> None:
        wanted = await owned_sids(conn, contacts, account_sid, members, "contacts")
        await conn.execute(
            contact_group_members.delete().where(contact_group_members.c.group_sid == sid)
        )
        if wanted:
            await conn.execute(
                contact_group_members.insert(),
                [{"group_sid": sid, "contact_sid": c} for c in wanted],
            )

    @staticmethod
    def _check_name(name: str) -> str:
        if not name.strip():
            raise ValidationError.field("name", "required", "name must not be empty")
        return name.strip()

    async def create_group(
        self,
        account_sid: str,
        *,
        name: str,
        is_default: bool = False,
        contacts: Sequence[str] = (),
    ) -> ContactGroup:
        """Create a group; `is_default` takes the default over from any other group."""
        sid = new_sid("contact_group")
        async with self._db.transaction() as conn:
            await conn.execute(
                groups_table.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    name=self._check_name(name),
                    is_default=False,
                    created_at=self._clock.now(),
                )
            )
            if is_default:
                await self._make_default(conn, account_sid, sid)
            await self._set_members_of_group(conn, account_sid, sid, contacts)
        return await self.get_group(account_sid, sid)

    async def update_group(
        self,
        account_sid: str,
        sid: str,
        *,
        name: str | None = None,
        is_default: bool | None = None,
        contacts: Sequence[str] | None = None,
    ) -> ContactGroup:
        async with self._db.transaction() as conn:
            await self._read_group(conn, account_sid, sid)
            if name is not None:
                await conn.execute(
                    groups_table.update()
                    .where(groups_table.c.sid == sid)
                    .values(name=self._check_name(name))
                )
            if is_default:
                await self._make_default(conn, account_sid, sid)
            elif is_default is not None:
                await conn.execute(
                    groups_table.update().where(groups_table.c.sid == sid).values(is_default=False)
                )
            if contacts is not None:
                await self._set_members_of_group(conn, account_sid, sid, contacts)
        return await self.get_group(account_sid, sid)

    async def delete_group(self, account_sid: str, sid: str) -> ContactGroup:
        async with self._db.transaction() as conn:
            gone = await self._read_group(conn, account_sid, sid)
            await conn.execute(
                contact_group_members.delete().where(contact_group_members.c.group_sid == sid)
            )
            await conn.execute(groups_table.delete().where(groups_table.c.sid == sid))
        return gone
