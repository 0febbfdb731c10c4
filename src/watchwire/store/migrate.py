"""Apply Alembic migrations from code (`watchwire db upgrade`, and `serve` on start)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from watchwire.store.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database, revision: str = "heads") -> str | None:
    """Bring the schema to `revision` (every branch head by default); return the applied
    revisions, comma-separated."""
    return (await upgrade_from(db, revision))[1]


async def upgrade_from(db: Database, revision: str = "heads") -> tuple[str | None, str | None]:
    """`upgrade`, returning the revisions before and after (None: no schema yet)."""
    async with db.transaction() as conn:
        if db.schema:
            await conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"'))
        before = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), revision))
        heads = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
        return ",".join(sorted(before)) or None, ",".join(sorted(heads)) or None


def describe_upgrade(before: str | None, after: str | None) -> str:
    """The one line a person reads on start: where the schema was and where it is now."""
    shown = (after or "none").replace(",", " + ")
    if before == after:
        return f"database at revision {shown}, up to date"
    if before is None:
        return f"database created at revision {shown}"
    return f"database migrated from revision {before.replace(',', ' + ')} to {shown}"


def head_revisions() -> str:
    """The newest revision of every branch, comma-separated (what `upgrade` reports)."""
    heads = ScriptDirectory.from_config(_config(None)).get_heads()  # type: ignore[arg-type]
    return ",".join(sorted(heads))


async def is_current(db: Database) -> bool:
    """True when the schema is at the newest revision (readiness check for API-only processes)."""
    async with db.connect() as conn:
        current = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
        return ",".join(sorted(current)) == head_revisions()
