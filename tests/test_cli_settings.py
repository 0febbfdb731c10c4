"""The CLI reads the settings `serve` reads and refuses wrong ones before anything happens:
one line naming the setting, a non-zero exit, nothing announced (issue 23)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.servers.watchwire_processes import start_serve
from watchwire import __version__
from watchwire.cli import app

WATCHWIRE = Path(sys.executable).with_name("watchwire")


def _clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHWIRE_")}
    return {**env, "WATCHWIRE_SECRET_KEY": "cli-settings", **values}


def _run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WATCHWIRE), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_version_needs_no_command() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"watchwire {__version__}"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"WATCHWIRE_LISTEN": "nonsense"}, "WATCHWIRE_LISTEN=nonsense: expected IP:PORT"),
        ({"WATCHWIRE_CONFIG": "/nonexistent/watchwire.toml"}, "the file does not exist"),
        ({"WATCHWIRE_CONFIG": "{typo}"}, "unknown setting 'listn' (did you mean 'listen'?)"),
        ({"WATCHWIRE_LISTEN": "127.0.0.1:{busy}"}, "cannot listen there: Address already in use"),
    ],
    ids=["listen-nonsense", "config-missing", "config-typo", "port-busy"],
)
def test_serve_refuses_wrong_settings_before_announcing_anything(
    tmp_path: Path, busy_port: int, setting: dict[str, str], expected: str
) -> None:
    typo = tmp_path / "watchwire.toml"
    typo.write_text('listn = "127.0.0.1:9999"\n')
    values = {name: value.format(typo=typo, busy=busy_port) for name, value in setting.items()}
    database = tmp_path / "w.db"
    env = _clean_env(tmp_path, WATCHWIRE_DATABASE_URL=f"sqlite:///{database}", **values)

    result = _run(env, tmp_path, "serve")

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    assert expected in line
    assert not database.exists()  # nothing was done before the refusal


def test_admin_commands_say_which_database_they_write_to(tmp_path: Path) -> None:
    database = tmp_path / "w.db"
    env = _clean_env(tmp_path, WATCHWIRE_DATABASE_URL=f"sqlite:///{database}")
    assert _run(env, tmp_path, "db", "upgrade").returncode == 0
    created = _run(env, tmp_path, "account", "create", "ops", "--json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["key"]
    assert f"database: SQLite {database} (from WATCHWIRE_DATABASE_URL)" in created.stderr


def test_admin_commands_do_not_start_a_database_of_their_own(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)  # no database setting: the default, ./watchwire.db
    created = _run(env, tmp_path, "account", "create", "ops")
    assert created.returncode == 1
    default = tmp_path / "watchwire.db"
    assert f"database: SQLite {default} (from the default)" in created.stderr
    assert f"error: there is no database at {default}" in created.stderr
    assert not default.exists()


async def test_a_key_made_with_the_servers_config_file_works_on_the_server(
    tmp_path: Path,
) -> None:
    """`serve` started with a config file in one directory; `account create --config` from
    another: the key it prints is accepted by the running server."""
    server_dir, admin_dir = tmp_path / "srv", tmp_path / "admin"
    server_dir.mkdir()
    admin_dir.mkdir()
    config = server_dir / "watchwire.toml"
    config.write_text(
        f'database_url = "sqlite:///{server_dir / "w.db"}"\n'
        f'secret_key_file = "{server_dir / "watchwire.secret"}"\n'
        "bootstrap_account = false\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHWIRE_")}
    server = await start_serve({**env, "WATCHWIRE_CONFIG": str(config)}, server_dir)
    try:
        created = _run(
            env, admin_dir, "--config", str(config), "account", "create", "ops", "--json"
        )
        assert created.returncode == 0, created.stderr
        assert f"(from {config})" in created.stderr
        key = json.loads(created.stdout)["key"]
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            answer = await client.get("/v1/account", headers={"X-API-Key": key})
        assert answer.status_code == 200
    finally:
        await server.stop()
    assert not (admin_dir / "watchwire.db").exists()
