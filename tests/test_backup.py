"""`watchwire backup FILE`: a copy of a live SQLite database taken while `serve` runs and
writes, which passes SQLite's integrity check and from which `serve` starts with the data;
PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tests.servers.watchwire_processes import prepare, start_serve, watchwire_env
from watchwire.cli import app

BEFORE = 20  # monitors created before the backup


def backup(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["backup", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


async def monitor_sids(client: httpx.AsyncClient) -> set[str]:
    page = await client.get("/v1/monitors", params={"per_page": 100})
    assert page.status_code == 200, page.text
    return {m["sid"] for m in page.json()["data"]}


async def test_a_backup_of_a_live_database_restores_with_its_data(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    env = watchwire_env(f"sqlite:///{live}")
    headers = await prepare(f"sqlite:///{live}")
    copy = tmp_path / "copy.db"
    serve = await start_serve(env, tmp_path, name="live")
    try:
        async with httpx.AsyncClient(base_url=serve.base_url, headers=headers) as client:
            body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True, "allow_duplicate": True}
            for n in range(BEFORE):
                created = await client.post("/v1/monitors", json={**body, "name": f"m{n}"})
                assert created.status_code == 201
            before = await monitor_sids(client)

            async def keep_writing() -> None:
                while True:
                    await client.post("/v1/monitors", json={**body, "name": "during"})

            writer = asyncio.create_task(keep_writing())
            try:
                await asyncio.sleep(0.2)
                code, out, err = await asyncio.to_thread(backup, env, str(copy), "--json")
                await asyncio.sleep(0.2)
            finally:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            assert code == 0, err
            assert json.loads(out)["bytes"] == copy.stat().st_size > 0
            after = await monitor_sids(client)
    finally:
        await serve.stop()
    assert len(after) > len(before), "nothing was written while the backup ran"

    with contextlib.closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file

    restored = await start_serve(watchwire_env(f"sqlite:///{copy}"), tmp_path, name="restored")
    try:
        async with httpx.AsyncClient(base_url=restored.base_url, headers=headers) as client:
            kept = await monitor_sids(client)
    finally:
        await restored.stop()
    # Everything written before the backup, and no more than was written by its end.
    assert before <= kept <= after


def test_the_backup_does_not_overwrite_a_file_unless_told(tmp_path: Path) -> None:
    env = watchwire_env(f"sqlite:///{tmp_path / 'w.db'}")
    asyncio.run(prepare(env["WATCHWIRE_DATABASE_URL"]))
    target = tmp_path / "copy.db"
    target.write_text("precious")
    code, _, err = backup(env, str(target))
    assert code == 1 and "--force" in err
    assert target.read_text() == "precious"
    code, _, err = backup(env, str(target), "--force")
    assert code == 0, err
    with contextlib.closing(sqlite3.connect(target)) as db:
        assert db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 1
    code, _, err = backup(env, str(tmp_path / "w.db"))
    assert code == 1 and "the database itself" in err


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    env = watchwire_env("postgresql://watchwire@127.0.0.1:5432/watchwire")
    code, _, err = backup(env, str(tmp_path / "dump"))
    assert code == 1
    command = 'pg_dump --format=custom --file=FILE "$WATCHWIRE_DATABASE_URL"'
    assert command in " ".join(err.split())  # the console wraps long lines
    assert not (tmp_path / "dump").exists()
