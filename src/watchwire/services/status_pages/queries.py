"""Reads the status-page service and its visits share: notices with their updates."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from watchwire.pagination import PageRequest
from watchwire.services.status_pages.records import Notice, NoticeUpdate, notice_of
from watchwire.store.database import Connection
from watchwire.store.tables_status import status_notice_updates, status_notices, status_pages


async def updates_of(conn: Connection, sids: Sequence[str]) -> dict[str, list[NoticeUpdate]]:
    result: dict[str, list[NoticeUpdate]] = {sid: [] for sid in sids}
    if sids:
        rows = await conn.execute(
            sa.select(status_notice_updates)
            .where(status_notice_updates.c.notice_sid.in_(list(sids)))
            .order_by(status_notice_updates.c.at.desc(), status_notice_updates.c.id.desc())
        )
        for r in rows:
            result[r.notice_sid].append(NoticeUpdate(r.at, r.state, r.message))
    return result


async def read_notices(
    conn: Connection, where: sa.ColumnElement[bool], page: PageRequest | None = None
) -> tuple[list[Notice], int]:
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(status_notices).where(where))
    ).scalar_one()
    query = (
        sa.select(status_notices)
        .where(where)
        .order_by(status_notices.c.starts_at.desc(), status_notices.c.sid)
    )
    if page is not None:
        query = query.limit(page.per_page).offset(page.offset)
    rows = (await conn.execute(query)).all()
    updates = await updates_of(conn, [r.sid for r in rows])
    return [notice_of(r, updates[r.sid]) for r in rows], int(total)


async def remove_pages(conn: Connection, tokens: sa.Select[tuple[str]] | Sequence[str]) -> None:
    """Delete pages with their notices and the notices' updates."""
    notices = sa.select(status_notices.c.sid).where(status_notices.c.page_token.in_(tokens))
    await conn.execute(
        status_notice_updates.delete().where(status_notice_updates.c.notice_sid.in_(notices))
    )
    await conn.execute(status_notices.delete().where(status_notices.c.page_token.in_(tokens)))
    await conn.execute(status_pages.delete().where(status_pages.c.token.in_(tokens)))
