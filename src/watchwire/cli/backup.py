"""`watchwire backup FILE`: a consistent copy of the SQLite database, safe while `serve` runs.

SQLite's online backup API copies every page inside one read transaction, so the copy is
the database as of one commit; in WAL mode that read blocks no writer. The copy is written
beside FILE under a temporary name, checked, switched to a rollback journal (one
self-contained file) and renamed into place, so FILE is never a half-written database.
PostgreSQL is backed up with its own tools (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer

from watchwire.cli._common import console, fail, print_json, settings_or_fail

POSTGRES_ADVICE = (
    "a PostgreSQL database is backed up with pg_dump, not watchwire: "
    'pg_dump --format=custom --file=FILE "$WATCHWIRE_DATABASE_URL" '
    "(restore with pg_restore; see docs/operations.md)"
)


def _source(database_url: str) -> Path:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        fail(POSTGRES_ADVICE)
    if not url.database or url.database == ":memory:":
        fail("an in-memory database cannot be backed up")
    path = Path(url.database)
    if not path.is_file():
        fail(f"there is no database at {path}")
    return path


def copy_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with the online backup API; return the copy's size."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as src:
            with contextlib.closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise sqlite3.DatabaseError(f"the copy failed its check: {verdict}")
                dst.execute("PRAGMA journal_mode=DELETE")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Copy the SQLite database to FILE, consistent while the service runs."""
    settings = settings_or_fail()
    source = _source(settings.database_url)
    if file.exists() and file.resolve() == source.resolve():
        fail("FILE is the database itself")
    if file.exists() and not force:
        fail(f"{file} exists: pass --force to replace it")
    started = time.monotonic()
    try:
        size = copy_database(source, file)
    except (sqlite3.Error, OSError) as exc:
        fail(f"the backup failed: {exc}")
    seconds = round(time.monotonic() - started, 3)
    secret = None if settings.secret_key else str(settings.secret_key_file)
    if json_output:
        print_json({"file": str(file), "bytes": size, "seconds": seconds, "secret_file": secret})
        return
    console.print(f"backed up {source} to [bold]{file}[/] ({size:,} bytes, {seconds} s)")
    if secret:
        console.print(f"Keep {secret} with it: without it no API key authenticates.")
