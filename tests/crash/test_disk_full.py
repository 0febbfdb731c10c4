"""SQLite on a full disk: the database lives on a small tmpfs the test mounts, filled to the
last byte. Writes answer 503 `storage_full` in the native envelope and reads keep working;
the file passes SQLite's integrity check; once space is freed everything works again and
every write that was acknowledged is there."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import client_for
from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.runtime import Runtime

pytestmark = pytest.mark.root

DISK_BYTES = 4 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for this test alone."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size={DISK_BYTES},mode=0755",
            "watchwire-test",
            mountpoint,
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "--lazy", str(mountpoint)], check=True, capture_output=True)


def fill(path: Path) -> None:
    """Write `path` until the file system has no byte left."""
    chunk = b"\0" * 65536
    with path.open("wb", buffering=0) as handle:
        while True:
            try:
                handle.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                if len(chunk) == 1:
                    return
                chunk = chunk[: len(chunk) // 2]


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


async def test_a_full_disk_answers_503_corrupts_nothing_and_recovers(small_disk: Path) -> None:
    database = small_disk / "watchwire.db"
    settings = Settings(database_url=f"sqlite:///{database}", secret_key="disk-full-test")
    runtime = Runtime.build(settings)
    await runtime.migrate()
    account = await runtime.accounts.create_account("ops", plan="unlimited")
    client = client_for(create_app(runtime))
    client.headers["X-API-Key"] = account.key
    body = {
        "kind": "tcp",
        "target": "127.0.0.1:9",
        "paused": True,
        "allow_duplicate": True,
        "tags": [f"tag-{n:02d}-" + "x" * 50 for n in range(50)],
    }
    created: set[str] = set()

    async def create() -> httpx.Response:
        answer = await client.post("/v1/monitors", json=body)
        if answer.status_code == 201:
            created.add(answer.json()["data"]["sid"])
        return answer

    try:
        assert (await create()).status_code == 201
        filler = small_disk / "filler"
        fill(filler)
        refused = None
        for _ in range(500):  # the write-ahead log's free pages are used up first
            answer = await create()
            if answer.status_code != 201:
                refused = answer
                break
        assert refused is not None, "the disk never filled up"
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "storage_full"
        assert "disk is full" in refused.json()["error"]["message"]
        # Reading needs no space; another write is refused the same way, nothing breaks.
        listed = await client.get("/v1/monitors", params={"per_page": 100})
        assert listed.status_code == 200
        assert {m["sid"] for m in listed.json()["data"]} == created
        assert (await create()).status_code == 503
        assert integrity(database) == "ok"

        os.unlink(filler)
        assert (await create()).status_code == 201
        listed = await client.get("/v1/monitors", params={"per_page": 100})
        assert {m["sid"] for m in listed.json()["data"]} == created
    finally:
        await client.aclose()
        await runtime.close()
    assert integrity(database) == "ok"
