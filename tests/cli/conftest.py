"""A real `watchwire serve` on loopback for the resource commands, and a fresh account on
it for each test; the commands run in this process (typer's CliRunner)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.servers.plain_tls import free_port
from tests.servers.watchwire_processes import SECRET_KEY, prepare, start_serve, watchwire_env
from watchwire.cli import app
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str


@dataclass(frozen=True)
class Caller:
    """One account on the server: its key, and how to run `watchwire` as it."""

    server: Server
    key: str
    account: str
    runner: CliRunner

    def remote(self, *args: str) -> tuple[int, str, str]:
        """`watchwire ARGS` against the server over HTTP, with the account's key."""
        return self.local(*args, "--url", self.server.base_url, "--key", self.key)

    def local(self, *args: str) -> tuple[int, str, str]:
        """`watchwire ARGS` as given (the local database unless ARGS say --url)."""
        result = self.runner.invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{workdir / 'cli.db'}"
    asyncio.run(prepare(url))
    # Lookups and mail go to nothing on loopback: what the server sends fails fast, here.
    env = watchwire_env(
        url,
        resolver=f"127.0.0.1:{free_port()}",
        smtp_host="127.0.0.1",
        smtp_port=str(free_port()),
        log_level="WARNING",
    )
    process = asyncio.run(start_serve(env, workdir))
    try:
        yield Server(process.base_url, url)
    finally:
        asyncio.run(process.stop())


def _new_account(database_url: str) -> CreatedKey:
    async def create() -> CreatedKey:
        runtime = Runtime.build(Settings(database_url=database_url, secret_key=SECRET_KEY))
        try:
            return await runtime.accounts.create_account("cli", plan="unlimited")
        finally:
            await runtime.close()

    return asyncio.run(create())


@pytest.fixture
def caller(server: Server, monkeypatch: pytest.MonkeyPatch) -> Caller:
    created = _new_account(server.database_url)
    # The local commands read the server's own settings: its database and hashing key.
    monkeypatch.setenv("WATCHWIRE_DATABASE_URL", server.database_url)
    monkeypatch.setenv("WATCHWIRE_SECRET_KEY", SECRET_KEY)
    for name in ("WATCHWIRE_URL", "WATCHWIRE_KEY", "WATCHWIRE_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    return Caller(server, created.key, created.account_sid, CliRunner())


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
