"""An unexpected error answers 500 in the face's envelope and leaves the keep-alive
connection usable for the next request (it used to be reset right after the 500)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any, NoReturn

import orjson
import pytest

from tests.servers.api_server import api_server
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["api_server"]


async def _boom(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("a bug no request can trigger on purpose")


class KeepAliveClient:
    """One HTTP/1.1 connection, reused for every request, as a pooled client does."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        lines = [f"GET {path} HTTP/1.1", "Host: watchwire.test"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = dict(line.lower().split(": ", 1) for line in head[1:] if line)
        body = await self.reader.readexactly(int(fields["content-length"]))
        return status, fields, orjson.loads(body)


@pytest.fixture
async def connection(api_server: tuple[str, int]) -> Any:
    reader, writer = await asyncio.open_connection(*api_server)
    yield KeepAliveClient(reader, writer)
    writer.close()


async def test_native_500_keeps_the_connection(
    connection: KeepAliveClient,
    runtime: Runtime,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.monitors, "list", _boom)
    for _ in range(2):  # twice: the connection survives each 500
        status, headers, body = await connection.get("/v1/monitors", auth)
        assert status == 500
        assert body["error"] == {"code": "internal_error", "message": "Internal server error"}
        assert body["meta"]["request_id"] == headers["x-request-id"]
        assert headers.get("connection") != "close"
    status, _, body = await connection.get("/v1/account", auth)
    assert status == 200 and body["data"]["name"] == "acme"


async def test_dialect_500_keeps_the_connection(
    connection: KeepAliveClient,
    runtime: Runtime,
    account: CreatedKey,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.contacts, "list_contacts", _boom)
    basic = base64.b64encode(f"{account.sid}:{account.secret}".encode()).decode()
    status, _, body = await connection.get(
        "/4.0/contact/contacts.json", {"Authorization": f"Basic {basic}"}
    )
    assert status == 500
    assert body == {"status_code": 500, "status_message": "Internal server error."}
    status, _, _ = await connection.get("/v1/account", auth)
    assert status == 200
