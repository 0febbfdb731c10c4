"""Status pages and their notices, for their owners: create, read, change, delete.

A page lists components of its account (uptime monitors, certificate monitors, monitored
domains, blocklist hosts), each checked to belong to the account when written. Incidents and
maintenance windows (notices) belong to one page; every change of state or message is kept
as an update. What a visitor sees is computed by `visit.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock, as_utc
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.services.status_pages.queries import read_notices, remove_pages
from watchwire.services.status_pages.records import (
    COMPONENT_KINDS,
    MAX_COMPONENTS,
    MAX_GROUPS,
    Notice,
    NoticeType,
    StatusPage,
    check_color,
    check_domain,
    check_logo,
    check_message,
    check_required,
    check_state,
    check_timezone,
    check_visibility,
    hash_key,
    page_of,
)
from watchwire.services.status_pages.view import PageView
from watchwire.services.status_pages.visit import StatusPageVisits
from watchwire.store.database import Connection, Database
from watchwire.store.tables_certs import cert_monitors
from watchwire.store.tables_domains import monitored_domains
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_rbl import rbl_hosts
from watchwire.store.tables_status import status_notice_updates, status_notices, status_pages

NOT_FOUND = "Resource not found"
COMPONENT_TABLES: dict[str, sa.Table] = {
    "MO": monitors,
    "CM": cert_monitors,
    "DM": monitored_domains,
    "HT": rbl_hosts,
}


@dataclass(frozen=True, slots=True)
class ComponentInput:
    sid: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class PageFields:
    """A page's writable fields; `None` in a change means "leave as it is"."""

    name: str | None = None
    description: str | None = None
    components: Sequence[ComponentInput] | None = None
    groups: Sequence[str] | None = None
    visibility: str | None = None
    access_key: str | None = None
    title: str | None = None
    logo_url: str | None = None
    accent_color: str | None = None
    footer: str | None = None
    timezone: str | None = None
    custom_domain: str | None = None


async def checked_components(
    conn: Connection,
    account_sid: str,
    components: Sequence[ComponentInput],
    groups: Sequence[str],
) -> list[dict[str, Any]]:
    """The components as stored, after checking each belongs to the account and names one
    of the page's groups; a 400 names the offending entry."""
    if len(components) > MAX_COMPONENTS:
        raise ValidationError.field(
            "components", "max_items", f"a page holds at most {MAX_COMPONENTS} components"
        )
    seen: set[str] = set()
    by_prefix: dict[str, list[str]] = {}
    for index, item in enumerate(components):
        field = f"components[{index}].sid"
        if item.sid[:2] not in COMPONENT_KINDS:
            raise ValidationError.field(
                field, "kind", f"{field}: not a monitor, certificate, domain or RBL host SID"
            )
        if item.sid in seen:
            raise ValidationError.field(field, "unique", f"{field}: {item.sid} is listed twice")
        if item.group is not None and item.group not in groups:
            raise ValidationError.field(
                f"components[{index}].group", "not_found", f"no such group: {item.group}"
            )
        seen.add(item.sid)
        by_prefix.setdefault(item.sid[:2], []).append(item.sid)
    found: set[str] = set()
    for prefix, sids in by_prefix.items():
        table = COMPONENT_TABLES[prefix]
        found.update(
            (
                await conn.execute(
                    sa.select(table.c.sid).where(
                        table.c.account_sid == account_sid, table.c.sid.in_(sids)
                    )
                )
            ).scalars()
        )
    for index, item in enumerate(components):
        if item.sid not in found:
            field = f"components[{index}].sid"
            raise ValidationError.field(field, "not_found", f"{field}: no such {item.sid}")
    return [{"sid": c.sid, "group": c.group} for c in components]


def checked_groups(groups: Sequence[str]) -> list[str]:
    if len(groups) > MAX_GROUPS:
        raise ValidationError.field("groups", "max_items", f"at most {MAX_GROUPS} groups")
    names = [check_required(f"groups[{i}]", g) for i, g in enumerate(groups)]
    if len(set(names)) != len(names):
        raise ValidationError.field("groups", "unique", "group names must be unique")
    return names


def look_values(fields: PageFields) -> dict[str, Any]:
    """The fields of how a page looks, checked (an empty string clears an optional one)."""
    values: dict[str, Any] = {}
    if fields.title is not None:
        values["title"] = fields.title.strip() or None
    if fields.logo_url is not None:
        values["logo_url"] = check_logo(fields.logo_url or None)
    if fields.accent_color is not None:
        values["accent_color"] = check_color(fields.accent_color or None)
    if fields.footer is not None:
        values["footer"] = check_message("footer", fields.footer)
    if fields.timezone is not None:
        values["timezone"] = check_timezone(fields.timezone)
    return values


class StatusPageService:
    def __init__(
        self, db: Database, clock: Clock | None = None, *, cache_seconds: float = 0.0
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._visits = StatusPageVisits(db, self._clock, cache_seconds=cache_seconds)

    @asynccontextmanager
    async def _writing(self, token: str) -> AsyncIterator[Connection]:
        """A transaction that changes page `token`: once it commits, this process's visitors
        see the change at once (other processes' caches expire on their own)."""
        async with self._db.transaction() as conn:
            yield conn
        self._visits.forget(token)

    # Visitors --------------------------------------------------------------------------

    async def visit(
        self,
        token: str | None,
        *,
        access_key: str | None = None,
        host: str | None = None,
        owner_account: str | None = None,
    ) -> PageView:
        """What a visitor sees; see `StatusPageVisits.visit` for who may see what."""
        return await self._visits.visit(
            token, access_key=access_key, host=host, owner_account=owner_account
        )

    async def by_domain(self, host: str) -> str:
        """The token of the page served at custom domain `host`; NotFoundError if none."""
        return await self._visits.by_domain(host)

    # Pages -----------------------------------------------------------------------------

    async def _page_row(self, conn: Connection, account_sid: str, token: str) -> Any:
        row = (
            await conn.execute(
                sa.select(status_pages).where(
                    status_pages.c.token == token, status_pages.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError(NOT_FOUND)
        return row

    async def get_page(self, account_sid: str, token: str) -> StatusPage:
        async with self._db.connect() as conn:
            return page_of(await self._page_row(conn, account_sid, token))

    async def list_pages(self, account_sid: str, page: PageRequest) -> Page[StatusPage]:
        where = status_pages.c.account_sid == account_sid
        async with self._db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(status_pages).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(status_pages)
                    .where(where)
                    .order_by(status_pages.c.created_at, status_pages.c.token)
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
        return Page([page_of(r) for r in rows], int(total), page)

    async def _values(
        self, conn: Connection, account_sid: str, fields: PageFields, current: Any | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if fields.name is not None:
            values["name"] = check_required("name", fields.name)
        if fields.description is not None:
            values["description"] = check_message("description", fields.description)
        groups = checked_groups(fields.groups) if fields.groups is not None else None
        if groups is not None:
            values["groups"] = groups
        if fields.components is not None or groups is not None:
            stored = current.components if current is not None else []
            components = (
                fields.components
                if fields.components is not None
                else [ComponentInput(c["sid"], c.get("group")) for c in stored]
            )
            if groups is None:
                groups = list(current.groups) if current is not None else []
            values["components"] = await checked_components(conn, account_sid, components, groups)
        if fields.visibility is not None:
            values["visibility"] = check_visibility(fields.visibility)
        if fields.access_key is not None:
            if len(fields.access_key) < 8:
                raise ValidationError.field(
                    "access_key", "min_length", "access_key must be at least 8 characters"
                )
            values["access_key_hash"] = hash_key(fields.access_key)
        visibility = values.get("visibility", current.visibility if current else "public")
        key_hash = values.get("access_key_hash", current.access_key_hash if current else None)
        if visibility == "protected" and key_hash is None:
            raise ValidationError.field(
                "access_key", "required", "a protected page needs an access_key"
            )
        values.update(look_values(fields))
        if fields.custom_domain is not None:
            domain = check_domain(fields.custom_domain or None) if fields.custom_domain else None
            await self._check_domain_free(conn, domain, current.token if current else None)
            values["custom_domain"] = domain
        return values

    async def _check_domain_free(
        self, conn: Connection, domain: str | None, token: str | None
    ) -> None:
        if domain is None:
            return
        other = (
            await conn.execute(
                sa.select(status_pages.c.token).where(status_pages.c.custom_domain == domain)
            )
        ).scalar()
        if other is not None and other != token:
            raise ConflictError(
                f"custom_domain {domain} is already used by another status page",
                details=[{"field": "custom_domain", "rule": "unique", "message": "in use"}],
            )

    async def create_page(
        self, account_sid: str, fields: PageFields, *, published_monitor_sid: str | None = None
    ) -> StatusPage:
        if fields.name is None:
            raise ValidationError.field("name", "required", "name is required")
        token = secrets.token_urlsafe(18)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            values = await self._values(conn, account_sid, fields, None)
            await conn.execute(
                status_pages.insert().values(
                    {
                        "token": token,
                        "account_sid": account_sid,
                        "description": "",
                        "components": [],
                        "groups": [],
                        "visibility": "public",
                        "access_key_hash": None,
                        "footer": "",
                        "timezone": "UTC",
                        "published_monitor_sid": published_monitor_sid,
                        "created_at": now,
                        "updated_at": now,
                        **values,
                    }
                )
            )
        return await self.get_page(account_sid, token)

    async def update_page(self, account_sid: str, token: str, fields: PageFields) -> StatusPage:
        async with self._writing(token) as conn:
            current = await self._page_row(conn, account_sid, token)
            values = await self._values(conn, account_sid, fields, current)
            values["updated_at"] = self._clock.now()
            await conn.execute(
                status_pages.update().where(status_pages.c.token == token).values(values)
            )
        return await self.get_page(account_sid, token)

    async def delete_page(self, account_sid: str, token: str) -> StatusPage:
        async with self._writing(token) as conn:
            gone = page_of(await self._page_row(conn, account_sid, token))
            await remove_pages(conn, [token])
        return gone

    async def set_published(self, account_sid: str, monitor_sid: str, published: bool) -> None:
        """updown's `published` flag: a public one-monitor page of the monitor's own exists
        exactly while the flag is set (created on set, removed on clear)."""
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(status_pages.c.token, monitors.c.name)
                    .select_from(
                        monitors.outerjoin(
                            status_pages, status_pages.c.published_monitor_sid == monitors.c.sid
                        )
                    )
                    .where(monitors.c.sid == monitor_sid, monitors.c.account_sid == account_sid)
                )
            ).first()
        if row is None:
            raise NotFoundError(NOT_FOUND)
        if published and row.token is None:
            await self.create_page(
                account_sid,
                PageFields(name=row.name, components=[ComponentInput(monitor_sid)]),
                published_monitor_sid=monitor_sid,
            )
        elif not published and row.token is not None:
            await self.delete_page(account_sid, row.token)

    async def published_token(self, account_sid: str, monitor_sid: str) -> str | None:
        async with self._db.connect() as conn:
            return (
                await conn.execute(
                    sa.select(status_pages.c.token).where(
                        status_pages.c.account_sid == account_sid,
                        status_pages.c.published_monitor_sid == monitor_sid,
                    )
                )
            ).scalar()

    # Notices ---------------------------------------------------------------------------

    async def _notice(self, conn: Connection, account_sid: str, token: str, sid: str) -> Notice:
        await self._page_row(conn, account_sid, token)
        found, _ = await read_notices(
            conn, sa.and_(status_notices.c.sid == sid, status_notices.c.page_token == token)
        )
        if not found:
            raise NotFoundError(NOT_FOUND)
        return found[0]

    async def get_notice(self, account_sid: str, token: str, sid: str) -> Notice:
        async with self._db.connect() as conn:
            return await self._notice(conn, account_sid, token, sid)

    async def list_notices(self, account_sid: str, token: str, page: PageRequest) -> Page[Notice]:
        async with self._db.connect() as conn:
            await self._page_row(conn, account_sid, token)
            items, total = await read_notices(conn, status_notices.c.page_token == token, page)
        return Page(items, total, page)

    @staticmethod
    def _concerned(page_row: Any, components: Sequence[str]) -> list[str]:
        on_page = {c["sid"] for c in page_row.components}
        for index, sid in enumerate(components):
            if sid not in on_page:
                field = f"components[{index}]"
                raise ValidationError.field(
                    field, "not_found", f"{field}: {sid} is not a component of this page"
                )
        return list(dict.fromkeys(components))

    async def create_notice(
        self,
        account_sid: str,
        token: str,
        *,
        type: NoticeType,
        title: str,
        message: str = "",
        state: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        components: Sequence[str] = (),
    ) -> Notice:
        if type not in ("incident", "maintenance"):
            raise ValidationError.field("type", "enum", "type must be incident or maintenance")
        state = check_state(type, state or ("investigating" if type == "incident" else "scheduled"))
        now = self._clock.now()
        starts = as_utc(starts_at) if starts_at else now
        ends = as_utc(ends_at) if ends_at else None
        if ends is None and state in ("resolved", "completed"):
            ends = now
        if ends is not None and ends < starts:
            raise ValidationError.field("ends_at", "order", "ends_at must not be before starts_at")
        sid = new_sid("status_notice")
        async with self._writing(token) as conn:
            page_row = await self._page_row(conn, account_sid, token)
            await conn.execute(
                status_notices.insert().values(
                    sid=sid,
                    page_token=token,
                    account_sid=account_sid,
                    type=type,
                    title=check_required("title", title),
                    message=check_message("message", message),
                    state=state,
                    starts_at=starts,
                    ends_at=ends,
                    components=self._concerned(page_row, components),
                    created_at=now,
                    updated_at=now,
                )
            )
            await conn.execute(
                status_notice_updates.insert().values(
                    notice_sid=sid, at=now, state=state, message=message
                )
            )
            return await self._notice(conn, account_sid, token, sid)

    async def update_notice(
        self,
        account_sid: str,
        token: str,
        sid: str,
        *,
        title: str | None = None,
        message: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        components: Sequence[str] | None = None,
    ) -> Notice:
        """Change what a notice says about itself; its state moves only by `add_update`."""
        async with self._writing(token) as conn:
            current = await self._notice(conn, account_sid, token, sid)
            values: dict[str, Any] = {"updated_at": self._clock.now()}
            if title is not None:
                values["title"] = check_required("title", title)
            if message is not None:
                values["message"] = check_message("message", message)
            starts = as_utc(starts_at) if starts_at else current.starts_at
            ends = as_utc(ends_at) if ends_at else current.ends_at
            if ends is not None and ends < starts:
                raise ValidationError.field(
                    "ends_at", "order", "ends_at must not be before starts_at"
                )
            values["starts_at"], values["ends_at"] = starts, ends
            if components is not None:
                page_row = await self._page_row(conn, account_sid, token)
                values["components"] = self._concerned(page_row, components)
            await conn.execute(
                status_notices.update().where(status_notices.c.sid == sid).values(values)
            )
            return await self._notice(conn, account_sid, token, sid)

    async def add_update(
        self, account_sid: str, token: str, sid: str, *, state: str, message: str
    ) -> Notice:
        """A new update: the notice takes its state; resolving an incident or completing a
        maintenance sets its end to now unless an end is already set in the past."""
        now = self._clock.now()
        async with self._writing(token) as conn:
            current = await self._notice(conn, account_sid, token, sid)
            state = check_state(current.type, state)
            check_message("message", message)
            values: dict[str, Any] = {"state": state, "updated_at": now}
            if state in ("resolved", "completed") and (
                current.ends_at is None or current.ends_at > now
            ):
                values["ends_at"] = now
            if state == "in_progress" and current.starts_at > now:
                values["starts_at"] = now
            await conn.execute(
                status_notices.update().where(status_notices.c.sid == sid).values(values)
            )
            await conn.execute(
                status_notice_updates.insert().values(
                    notice_sid=sid, at=now, state=state, message=message
                )
            )
            return await self._notice(conn, account_sid, token, sid)

    async def delete_notice(self, account_sid: str, token: str, sid: str) -> Notice:
        async with self._writing(token) as conn:
            gone = await self._notice(conn, account_sid, token, sid)
            await conn.execute(
                status_notice_updates.delete().where(status_notice_updates.c.notice_sid == sid)
            )
            await conn.execute(status_notices.delete().where(status_notices.c.sid == sid))
        return gone
