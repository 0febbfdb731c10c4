"""The database handle: SQLite (embedded default) or PostgreSQL (scale-out), one async API.

Services write `async with db.transaction() as conn: await conn.execute(stmt)` and
`async with db.connect() as conn:` for reads; the same SQLAlchemy Core statements run on both.

- PostgreSQL runs on asyncpg through SQLAlchemy's async engine.
- A database that cannot do its part now — PostgreSQL unreachable or restarting, SQLite's
  disk full or the file locked for too long — raises `UnavailableError` (503 in every face)
  from every method here, instead of the driver's own error.
- SQLite runs on the standard sqlite3 module *on the event-loop thread*. A point query takes
  tens of microseconds, while handing each call to a worker thread (aiosqlite) cost about
  ten thread round trips per request and a third of the API's throughput — see
  docs/decisions/0003-sqlite-on-the-event-loop.md. Write transactions are serialised by an
  asyncio lock, so a second writer waits without blocking the loop, and a transaction body
  never yields to the loop (its statements are synchronous), so no other task can interleave.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.base import Executable

from watchwire.errors import UnavailableError

T = TypeVar("T")

_SQLITE_FULL = 13
# BUSY, LOCKED, IOERR, CANTOPEN: the file, not the statement, is the trouble.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 14})
UNREACHABLE = "The database is unavailable: nothing was written. Try again shortly."
FULL = "The database's disk is full: nothing was written. Try again once space is freed."


def unavailable(exc: BaseException) -> UnavailableError | None:
    """The UnavailableError a failure of the database stands for; None for any other error
    (a wrong statement, a constraint), which stays what it is."""
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
        if code == _SQLITE_FULL:
            return UnavailableError(FULL, code="storage_full")
        return UnavailableError(UNREACHABLE) if code in _SQLITE_UNAVAILABLE else None
    lost = isinstance(exc, sa_exc.DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError)
    )
    # SQLSTATE classes 08 (connection exception) and 57P (shutdown, cannot connect now).
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    if lost or sqlstate.startswith(("08", "57P")) or isinstance(orig, OSError):
        return UnavailableError(UNREACHABLE)
    return None


def driver_url(url: str) -> str:
    """The SQLAlchemy URL for the user-facing one (sqlite:///…, postgresql://…)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while the single writer commits; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Another process (a CLI command) may hold the write lock for a moment.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Connection:
    """What services see: `execute` and `run_sync`, on either backend."""

    def __init__(self, sync: SyncConnection | None = None, aio: AsyncConnection | None = None):
        self._sync = sync
        self._aio = aio

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        if self._sync is not None:
            return self._sync.execute(statement, parameters)
        assert self._aio is not None
        return await self._aio.execute(statement, parameters)

    async def run_sync(self, fn: Callable[[SyncConnection], T]) -> T:
        if self._sync is not None:
            return fn(self._sync)
        assert self._aio is not None
        return await self._aio.run_sync(fn)


class _CompiledRead:
    """A select compiled once for the sqlite3 module's named parameters, with the result
    processor of each column's type (JSON decoding, timestamps)."""

    def __init__(self, statement: sa.Select[Any], dialect: sa.Dialect) -> None:
        named = cast(type[DefaultDialect], type(dialect))(paramstyle="named")
        compiled = statement.compile(dialect=named)
        self.sql = str(compiled)
        # Values the statement carries itself (literals), under the caller's parameters.
        self.defaults = compiled.params
        columns = list(statement.selected_columns)
        # The statement's own keys: repeated names come out suffixed, as on a Row.
        self.names = tuple(statement.selected_columns.keys())
        self.processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if process is None or value is None else process(value)
            for name, process, value in zip(self.names, self.processors, values, strict=True)
        }


class Database:
    """Owns the engine. `transaction()` for writes, `connect()` for reads."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False) -> None:
        self.url = url
        self.schema = schema
        target = driver_url(url)
        self.dialect = sa.engine.make_url(target).get_backend_name()
        self._write_lock = asyncio.Lock()
        self._reads: dict[sa.Select[Any], _CompiledRead] = {}
        self._read_connection: PoolProxiedConnection | None = None
        if self.dialect == "sqlite":
            self._sync_engine = sa.create_engine(
                target, echo=echo, pool_size=8, max_overflow=0, pool_timeout=30
            )
            event.listen(self._sync_engine, "connect", _sqlite_pragmas)
            self._aio_engine = None
        else:
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            self._aio_engine = create_async_engine(
                target,
                echo=echo,
                pool_size=10,
                max_overflow=20,
                pool_pre_ping=True,
                connect_args=connect_args,
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A transaction committed on normal exit and rolled back on an exception."""
        try:
            if self._aio_engine is not None:
                async with self._aio_engine.begin() as conn:
                    yield Connection(aio=conn)
                return
            async with self._write_lock:
                with self._sync_engine.begin() as sync:
                    yield Connection(sync=sync)
        except (sa_exc.DBAPIError, OSError) as exc:
            translated = unavailable(exc)
            if translated is None:
                raise
            raise translated from exc

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        try:
            if self._aio_engine is not None:
                async with self._aio_engine.connect() as conn:
                    yield Connection(aio=conn)
                return
            with self._sync_engine.connect() as sync:
                yield Connection(sync=sync)
        except (sa_exc.DBAPIError, OSError) as exc:
            translated = unavailable(exc)
            if translated is None:
                raise
            raise translated from exc

    async def read_off_loop(self, fn: Callable[[SyncConnection], T]) -> T:
        """`fn` run on a connection of its own, for a read big enough to hold the event loop
        for long (a status page's 90 days: seconds). On SQLite, whose statements otherwise
        run on the loop (decision 0003), it runs in a worker thread: sqlite3 lets go of the
        GIL while it scans, so the loop keeps answering. On PostgreSQL it runs like any
        read, awaiting the server."""
        try:
            if self._aio_engine is not None:
                async with self._aio_engine.connect() as conn:
                    return await conn.run_sync(fn)

            def in_thread() -> T:
                with self._sync_engine.connect() as sync:
                    return fn(sync)

            return await asyncio.to_thread(in_thread)
        except (sa_exc.DBAPIError, OSError) as exc:
            translated = unavailable(exc)
            if translated is None:
                raise
            raise translated from exc

    async def fetch_one(
        self, statement: sa.Select[Any], parameters: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        """The first row of a read-only statement, by column name; None when there is none.

        For the per-request point lookups (authentication). On SQLite it skips SQLAlchemy's
        per-execution machinery: the statement is compiled once and runs on a dedicated
        sqlite3 connection, its values passed through the column types' own result
        processors. A read never yields between execute and fetch and the connection is in
        autocommit, so tasks can share it and every read sees the latest commit. About 40
        µs of the ~100 µs an authenticated request spent in the database (see
        docs/decisions/0006)."""
        if self._aio_engine is not None:
            async with self.connect() as conn:
                result = await conn.execute(statement, dict(parameters))
                return cast(Mapping[str, Any] | None, result.mappings().first())
        read = self._reads.get(statement)
        if read is None:
            read = self._reads[statement] = _CompiledRead(statement, self._sync_engine.dialect)
        if self._read_connection is None:
            self._read_connection = self._sync_engine.raw_connection()
        sqlite = self._read_connection.driver_connection
        assert sqlite is not None
        cursor = sqlite.execute(read.sql, {**read.defaults, **parameters})
        values = cursor.fetchone()
        cursor.close()  # ends the statement, and with it the read snapshot, now
        return None if values is None else read.row(values)

    async def ping(self) -> bool:
        try:
            async with self.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:  # any failure means "not ready"
            return False

    async def close(self) -> None:
        if self._aio_engine is not None:
            await self._aio_engine.dispose()
        else:
            if self._read_connection is not None:
                self._read_connection.close()
                self._read_connection = None
            self._sync_engine.dispose()
