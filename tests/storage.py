"""Databases for tests: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is the local server at 127.0.0.1:5432 (user postgres, database test, installed and
started by `make test`); each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa

from watchwire.store.database import Database
from watchwire.store.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "WATCHWIRE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


async def open_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'watchwire.db'}")
        await upgrade(db)
        try:
            yield db
        finally:
            await db.close()
        return
    schema = "t_" + secrets.token_hex(6)
    db = Database(POSTGRES_URL, schema=schema)
    await upgrade(db)
    try:
        yield db
    finally:
        await db.close()
        admin = Database(POSTGRES_URL)
        async with admin.transaction() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.close()


@asynccontextmanager
async def postgres_schema_url() -> AsyncIterator[str]:
    """A URL of the test PostgreSQL whose tables live in a schema of their own, for the
    `watchwire` processes a test starts (configured by URL alone, they cannot be handed a
    schema): a login role that owns the schema and has it as its search_path. Both are
    dropped afterwards (a database of its own would cost a checkpoint to drop)."""
    name = "t_" + secrets.token_hex(6)
    admin = Database(POSTGRES_URL)
    try:
        async with admin.transaction() as conn:
            await conn.execute(sa.text(f'CREATE ROLE "{name}" LOGIN'))
            await conn.execute(sa.text(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"'))
            await conn.execute(sa.text(f'ALTER ROLE "{name}" SET search_path = "{name}"'))
        try:
            yield sa.engine.make_url(POSTGRES_URL).set(username=name).render_as_string(False)
        finally:
            async with admin.transaction() as conn:
                await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
                await conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
    finally:
        await admin.close()
