"""Stable integer aliases of SIDs, for the faces whose documents show integer ids (Enterno's
webhooks and deliveries: `"id": 12`, `?id=12`). Migration 0017 creates the table.

One table maps both ways: an alias is given when its resource is written, in the same
transaction, and never given again (SQLite AUTOINCREMENT, a PostgreSQL identity), so an id
a client kept never names another resource. The alias is no second id space: every rule
still reads the SID; `services/aliases.py` is where faces turn one into the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from watchwire.store.database import Connection
from watchwire.store.tables import metadata

sid_aliases = sa.Table(
    "sid_aliases",
    metadata,
    sa.Column(
        "alias",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("sid", sa.String(66), nullable=False, unique=True),
    sqlite_autoincrement=True,
)


async def assign(conn: Connection, sids: Sequence[str]) -> None:
    """Give each of `sids` (just written) an alias of its own, in `conn`'s transaction."""
    if sids:
        await conn.execute(sid_aliases.insert(), [{"sid": sid} for sid in sids])


def alias_of(sid: sa.ColumnElement[str]) -> sa.ScalarSelect[int]:
    """The alias of the SID in `sid`, as a column of a select (NULL: none given)."""
    return sa.select(sid_aliases.c.alias).where(sid_aliases.c.sid == sid).scalar_subquery()


async def aliases_of(conn: Connection, sids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(sids))
    if not wanted:
        return {}
    rows = await conn.execute(
        sa.select(sid_aliases.c.sid, sid_aliases.c.alias).where(sid_aliases.c.sid.in_(wanted))
    )
    return {row.sid: int(row.alias) for row in rows.all()}


async def sid_of(conn: Connection, alias: int, prefix: str) -> str | None:
    """The SID an alias names, when it is one of `prefix` (`WH`, `DL`); else None."""
    sid = (
        await conn.execute(sa.select(sid_aliases.c.sid).where(sid_aliases.c.alias == alias))
    ).scalar_one_or_none()
    return sid if sid is not None and sid.startswith(prefix) else None
