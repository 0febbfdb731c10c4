"""The operator CLI: accounts and keys, JSON output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchwire.cli import app
from watchwire.store.migrate import head_revisions


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WATCHWIRE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WATCHWIRE_SECRET_KEY", "cli-test-key")
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_reports_the_revision(cli_env: CliRunner) -> None:
    code, out, _ = invoke(cli_env, "db", "upgrade", "--json")
    assert code == 0
    assert json.loads(out) == {"revision": head_revisions()}


def test_account_and_key_lifecycle(cli_env: CliRunner) -> None:
    invoke(cli_env, "db", "upgrade")
    code, out, _ = invoke(cli_env, "account", "create", "ops", "--plan", "pro", "--json")
    assert code == 0
    created = json.loads(out)
    assert set(created) == {"account_sid", "key_sid", "secret", "key"}
    assert created["key"] == created["key_sid"] + created["secret"]

    account = created["account_sid"]
    code, out, _ = invoke(
        cli_env,
        "key",
        "create",
        "--account",
        account,
        "--scope",
        "dns",
        "--read-only",
        "--ip",
        "10.0.0.0/8",
        "--json",
    )
    assert code == 0
    key = json.loads(out)
    assert key["scopes"] == ["dns"] and key["read_only"] and key["ip_allowlist"] == ["10.0.0.0/8"]

    code, out, _ = invoke(cli_env, "key", "list", "--account", account, "--json")
    assert code == 0
    assert {k["sid"] for k in json.loads(out)} == {created["key_sid"], key["sid"]}

    code, out, _ = invoke(cli_env, "key", "revoke", key["sid"], "--account", account, "--json")
    assert code == 0
    assert json.loads(out)["status"] == "revoked"

    code, out, _ = invoke(cli_env, "key", "list", "--account", account)
    assert code == 0
    assert "revoked" in out


def test_token_signing_key_rotation(cli_env: CliRunner) -> None:
    invoke(cli_env, "db", "upgrade")
    code, out, _ = invoke(cli_env, "key", "rotate-token-key", "--json")
    assert code == 0
    [first] = json.loads(out)
    assert first["accepted_until"] is None and len(first["kid"]) == 32
    code, out, _ = invoke(cli_env, "key", "rotate-token-key", "--grace", "600", "--json")
    assert code == 0
    current, retired = json.loads(out)
    assert current["accepted_until"] is None and retired["kid"] == first["kid"]
    assert retired["accepted_until"] is not None
    code, _, _ = invoke(cli_env, "key", "rotate-token-key", "--grace", "-1")
    assert code != 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("account", "create", "x", "--plan", "platinum"), "unknown plan 'platinum'"),
        (("key", "revoke", "AK" + "0" * 32, "--account", "AC" + "0" * 32), "Resource not found"),
        (("key", "create", "--account", "AC" + "0" * 32), "Resource not found"),
    ],
)
def test_errors_are_one_line_and_non_zero(
    cli_env: CliRunner, args: tuple[str, ...], message: str
) -> None:
    invoke(cli_env, "db", "upgrade")
    code, _, err = invoke(cli_env, *args)
    assert code != 0
    # Which database the command used, then the error in one line.
    database, error = err.strip().splitlines()
    assert database.startswith("database: SQLite ")
    assert error.startswith("error: ") and message in error


def test_invalid_configuration_is_one_clear_line(
    cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHWIRE_LISTEN", "not a host port")
    code, _, err = invoke(cli_env, "db", "upgrade")
    assert code != 0
    assert "WATCHWIRE_LISTEN" in err


def test_help_everywhere(cli_env: CliRunner) -> None:
    for args in (
        ["--help"],
        ["key", "--help"],
        ["account", "create", "--help"],
        ["serve", "--help"],
    ):
        code, out, _ = invoke(cli_env, *args)
        assert code == 0 and "Usage" in out
