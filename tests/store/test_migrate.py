"""The line `serve` logs about the schema on start says where the database was and is."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.migrate import describe_upgrade, head_revisions


async def _start(path: Path, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    runtime = Runtime.build(Settings(database_url=f"sqlite:///{path}", secret_key="k"))
    try:
        with caplog.at_level(logging.INFO, logger="watchwire.runtime"):
            await runtime.migrate()
    finally:
        await runtime.close()
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "watchwire.runtime")


async def test_first_and_second_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    head = head_revisions()
    assert await _start(tmp_path / "w.db", caplog) == f"database created at revision {head}"
    assert await _start(tmp_path / "w.db", caplog) == f"database at revision {head}, up to date"


def test_the_line_reads_clearly_with_several_heads() -> None:
    assert describe_upgrade("0009", "0010,0011") == (
        "database migrated from revision 0009 to 0010 + 0011"
    )
    assert describe_upgrade("0011", "0011") == "database at revision 0011, up to date"


def test_db_upgrade_says_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from watchwire.cli import app

    monkeypatch.setenv("WATCHWIRE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WATCHWIRE_SECRET_KEY", "k")
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    again = runner.invoke(app, ["db", "upgrade"])
    assert first.stdout.strip() == f"database created at revision {head_revisions()}"
    assert again.stdout.strip() == f"database at revision {head_revisions()}, up to date"
