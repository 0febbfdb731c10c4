"""`watchwire user add|list` on the local database, and the sign-in `serve` prints on its
first start."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.servers.watchwire_processes import SECRET_KEY
from watchwire.cli import app
from watchwire.cli.serve import _announce
from watchwire.config import Settings
from watchwire.runtime import Runtime


async def _account(url: str) -> str:
    runtime = Runtime.build(Settings(database_url=url, secret_key=SECRET_KEY))
    try:
        await runtime.migrate()
        return (await runtime.accounts.create_account("ops")).account_sid
    finally:
        await runtime.close()


def test_user_add_and_list(tmp_path: Path) -> None:
    """Synchronous: the commands run their own event loop."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    account = asyncio.run(_account(url))
    env = {"WATCHWIRE_DATABASE_URL": url, "WATCHWIRE_SECRET_KEY": SECRET_KEY}
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["user", "add", "Ann@Example.com", "--account", account, "--role", "editor", "--json"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    shown = json.loads(added.stdout)
    assert shown["email"] == "ann@example.com" and shown["role"] == "editor"
    assert len(shown["password"]) >= 12
    given = runner.invoke(
        app,
        ["user", "add", "bob@example.com", "--account", account, "--password-stdin", "--json"],
        env=env,
        input="a password of my own\n",
    )
    assert given.exit_code == 0 and json.loads(given.stdout)["password"] is None
    twice = runner.invoke(app, ["user", "add", "ann@example.com", "--account", account], env=env)
    assert twice.exit_code == 1 and "exists" in twice.output
    listed = runner.invoke(app, ["user", "list", "--account", account, "--json"], env=env)
    assert [u["email"] for u in json.loads(listed.stdout)] == ["ann@example.com", "bob@example.com"]


async def test_the_first_start_prints_the_owners_sign_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", secret_key=SECRET_KEY)
    runtime = Runtime.build(settings)
    try:
        await runtime.migrate()
        made = await runtime.bootstrap()
    finally:
        await runtime.close()
    assert made is not None
    _announce(made, settings)
    printed = capsys.readouterr().out
    assert (
        made.key.key in printed and "Sign in to the dashboard at http://127.0.0.1:8080/" in printed
    )
    assert "admin@localhost" in printed and made.owner.password in printed
