"""Blocklist hosts (003's "Hosts" and "Listings"): one address or domain each. A subnet
(CIDR) or range creates one host per address (at most 256), each with `type: ip_range` and
`parent` = the text given. "Check now" runs the scheduled job's code on the host at once."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.engine import leases
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.probes.rbl.query import expand_hosts, names_several_hosts, parse_target
from watchwire.services.contacts import resolve_groups
from watchwire.services.rbl.checker import RblHostJob
from watchwire.services.rbl.fields import (
    HOST_FIELDS,
    name_of,
    split_list,
    tags_of,
    unknown_fields,
)
from watchwire.services.rbl.profiles import host_profile
from watchwire.services.rbl.records import RblHost, host_record
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import rbl_hosts
from watchwire.text import refuse_control_characters

HOST_CAP = 256


async def host_row(conn: Connection, account_sid: str, sid: str) -> Any:
    """The account's host `sid`; NotFoundError otherwise."""
    row = (
        await conn.execute(
            sa.select(rbl_hosts).where(
                rbl_hosts.c.sid == sid, rbl_hosts.c.account_sid == account_sid
            )
        )
    ).first()
    if row is None:
        raise NotFoundError("Host not found")
    return row


class RblHosts:
    """The hosts part of the blocklist service (services/rbl/service.py)."""

    db: Database
    clock: Clock
    host_job: RblHostJob

    async def get_host(self, account_sid: str, sid: str) -> RblHost:
        async with self.db.connect() as conn:
            return host_record(await host_row(conn, account_sid, sid), self.clock.now())

    async def get_hosts(self, account_sid: str, sids: Sequence[str]) -> list[RblHost]:
        """Several hosts at once (the Go SDK's `?ids=`); unknown SIDs are left out."""
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(rbl_hosts)
                    .where(rbl_hosts.c.account_sid == account_sid, rbl_hosts.c.sid.in_(list(sids)))
                    .order_by(rbl_hosts.c.created_at, rbl_hosts.c.sid)
                )
            ).all()
        now = self.clock.now()
        return [host_record(r, now) for r in rows]

    async def list_hosts(
        self, account_sid: str, page: PageRequest, *, listed_only: bool = False
    ) -> tuple[Page[RblHost], int]:
        """A page of hosts (only listed ones for 003's Listings) and how many are listed."""
        mine = rbl_hosts.c.account_sid == account_sid
        listed = rbl_hosts.c.listed_count > 0
        where = [mine, listed] if listed_only else [mine]
        async with self.db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(rbl_hosts).where(*where))
            ).scalar_one()
            total_listed = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(rbl_hosts).where(mine, listed)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(rbl_hosts)
                    .where(*where)
                    .order_by(rbl_hosts.c.created_at, rbl_hosts.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        now = self.clock.now()
        return Page([host_record(r, now) for r in rows], int(total), page), int(total_listed)

    async def create_hosts(self, account_sid: str, fields: dict[str, Any]) -> list[RblHost]:
        """Create one host, or one per address of a subnet or range; returns them all."""
        unknown_fields(fields, HOST_FIELDS)
        text = fields.get("host")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError.field("host", "required", "host is required")
        refuse_control_characters(text.strip(), "host")
        try:
            values = expand_hosts(text, cap=HOST_CAP)
        except ValueError as exc:
            raise ValidationError.field("host", "format", str(exc)) from exc
        several = names_several_hosts(text.strip())
        # No name, or null: the host names itself.
        name = name_of(fields["name"]) if fields.get("name") is not None else None
        tags = tags_of(fields.get("tags"))
        groups = split_list(fields.get("contact_groups"), "contact_groups")
        now = self.clock.now()
        rows: list[dict[str, Any]] = []
        async with self.db.transaction() as conn:
            profile = await host_profile(conn, account_sid, fields.get("profile"), now)
            resolved = await resolve_groups(conn, account_sid, groups)
            existing = set(
                (
                    await conn.execute(
                        sa.select(rbl_hosts.c.host).where(
                            rbl_hosts.c.account_sid == account_sid, rbl_hosts.c.host.in_(values)
                        )
                    )
                ).scalars()
            )
            if existing:
                raise ConflictError(
                    f"already monitored: {', '.join(sorted(existing)[:5])}", code="host_exists"
                )
            for position, value in enumerate(values):
                target_type = parse_target(value).type
                rows.append(
                    {
                        "sid": new_sid("rbl_host"),
                        "account_sid": account_sid,
                        "host": value,
                        "name": name or value,
                        "type": "ip_range" if several else target_type,
                        "target_type": target_type,
                        "parent": text.strip() if several else None,
                        "profile_sid": profile,
                        "contact_groups": resolved,
                        "tags": tags,
                        "paused": False,
                        "listings": {},
                        "listed_count": 0,
                        "next_run_at": now,
                        # A microsecond apart: lists keep a subnet's hosts in address order.
                        "created_at": now + timedelta(microseconds=position),
                        "updated_at": now,
                    }
                )
            await conn.execute(rbl_hosts.insert(), rows)
        return await self.get_hosts(account_sid, [r["sid"] for r in rows])

    async def update_host(self, account_sid: str, sid: str, fields: dict[str, Any]) -> RblHost:
        unknown_fields(fields, HOST_FIELDS - {"host"})
        values: dict[str, Any] = {"updated_at": self.clock.now()}
        if fields.get("name") is not None:
            values["name"] = name_of(fields["name"])
        if "tags" in fields:
            values["tags"] = tags_of(fields["tags"])
        async with self.db.transaction() as conn:
            row = await host_row(conn, account_sid, sid)
            if "name" in fields and fields["name"] is None:
                values["name"] = row.host  # null: back to the host's own name
            if "profile" in fields:
                values["profile_sid"] = await host_profile(
                    conn, account_sid, fields["profile"], values["updated_at"]
                )
            if "contact_groups" in fields:
                groups = split_list(fields["contact_groups"], "contact_groups") or []
                values["contact_groups"] = await resolve_groups(conn, account_sid, groups)
            await conn.execute(rbl_hosts.update().where(rbl_hosts.c.sid == sid).values(values))
        return await self.get_host(account_sid, sid)

    async def delete_host(self, account_sid: str, sid: str) -> RblHost:
        async with self.db.transaction() as conn:
            shown = host_record(await host_row(conn, account_sid, sid), self.clock.now())
            await conn.execute(rbl_hosts.delete().where(rbl_hosts.c.sid == sid))
        return shown

    async def set_host_paused(self, account_sid: str, sid: str, paused: bool) -> RblHost:
        now = self.clock.now()
        values: dict[str, Any] = {"paused": paused, "updated_at": now}
        async with self.db.transaction() as conn:
            row = await host_row(conn, account_sid, sid)
            if not paused and row.paused:
                values["next_run_at"] = now  # resumed: check it again now
            await conn.execute(rbl_hosts.update().where(rbl_hosts.c.sid == sid).values(values))
        return await self.get_host(account_sid, sid)

    async def check_host_now(self, account_sid: str, sid: str) -> RblHost:
        """Check a host in this call, through the scheduled job's own path; its fresh state.
        ConflictError while a check of it is running."""
        owner = f"now-{secrets.token_hex(6)}"
        async with self.db.transaction() as conn:
            await host_row(conn, account_sid, sid)
            row = await leases.claim_now(
                conn, rbl_hosts, sid, owner, self.clock.now(), self.host_job.lease_seconds
            )
        if row is None:
            raise ConflictError("a check of this host is running now", code="check_running")
        with contextlib.suppress(leases.LeaseLost):  # taken over meanwhile: its result stands
            await self.host_job.run(row, owner)
        return await self.get_host(account_sid, sid)
