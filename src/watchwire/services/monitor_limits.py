"""What an account may add: one monitor per kind and target unless asked for a duplicate
(`monitor_exists`, 409), and no more monitors than its plan allows (`monitor_limit_reached`,
403). Both are checked inside the transaction that writes the monitor."""

from __future__ import annotations

import sqlalchemy as sa

from watchwire.errors import ConflictError, LimitError
from watchwire.store.database import Connection, Database
from watchwire.store.tables import accounts, plans
from watchwire.store.tables_engine import monitors


async def lock_account(conn: Connection, db: Database, account_sid: str) -> None:
    """Serialise monitor creations of one account on PostgreSQL, so two at once cannot
    both pass the cap or both miss each other's duplicate (SQLite has one writer)."""
    if db.dialect == "postgresql":
        await conn.execute(
            sa.select(accounts.c.sid).where(accounts.c.sid == account_sid).with_for_update()
        )


async def check_room(conn: Connection, account_sid: str) -> None:
    """Raise LimitError when the account holds as many monitors as its plan allows."""
    row = (
        await conn.execute(
            sa.select(plans.c.name, plans.c.max_monitors)
            .select_from(accounts.join(plans, plans.c.name == accounts.c.plan))
            .where(accounts.c.sid == account_sid)
        )
    ).first()
    if row is None or row.max_monitors is None:
        return
    count = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(monitors)
            .where(monitors.c.account_sid == account_sid)
        )
    ).scalar_one()
    if count >= row.max_monitors:
        raise LimitError(
            f"the {row.name} plan allows {row.max_monitors} monitors; delete one to add another",
            code="monitor_limit_reached",
            details={"limit": row.max_monitors},
        )


async def check_unique(
    conn: Connection, account_sid: str, kind: str, target: str, *, other_than: str | None = None
) -> None:
    """Raise ConflictError when the account already has a monitor of `kind` and `target`
    (the monitor `other_than` aside: the one being changed)."""
    query = sa.select(monitors.c.sid).where(
        monitors.c.account_sid == account_sid,
        monitors.c.kind == kind,
        monitors.c.target == target,
    )
    if other_than is not None:
        query = query.where(monitors.c.sid != other_than)
    existing = (await conn.execute(query.limit(1))).scalar()
    if existing is not None:
        raise ConflictError(
            f"a {kind} monitor of {target} already exists ({existing}); "
            "send allow_duplicate: true to keep another",
            code="monitor_exists",
            details={"sid": existing, "field": "target"},
        )
