"""Databases for tests: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is the local server at 127.0.0.1:5432 (user postgres, database test, installed and
started by `make test`); each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
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
