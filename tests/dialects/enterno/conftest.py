"""Fixtures of the Enterno dialect tests: a client of the app that presents the account's
key as 000's samples do (`X-API-Key`), and helpers for 000's envelope."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.storage import open_database
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database

BASE = "http://watchwire.test"
REQUEST_ID = re.compile(r"^[0-9a-f]{24}$")


def asgi_client(app: FastAPI, key: CreatedKey | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    headers = {"X-API-Key": key.key} if key is not None else {}
    return httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers)


@pytest.fixture
async def enterno(app: FastAPI, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, account) as client:
        yield client


def data_of(response: httpx.Response, status: int = 200, version: str | None = None) -> Any:
    """The `data` of a success in 000's envelope, after checking the envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"data", "meta"}, body
    meta = body["meta"]
    assert (
        REQUEST_ID.match(meta["request_id"])
        and meta["request_id"] == response.headers["x-request-id"]
    )
    assert isinstance(meta["duration_ms"], int) and meta["cached"] is False
    expected = version or ("4.0" if response.request.url.path.startswith("/api/v4") else "3.0")
    assert meta["api_version"] == expected
    return body["data"]


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The `error` of a failure in 000's envelope; v3 errors carry no `api_version`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "meta"}, body
    assert body["error"]["code"] == code, body
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    assert isinstance(body["meta"]["duration_ms"], int)
    if response.request.url.path.startswith("/api/v4"):
        assert body["meta"]["api_version"] == "4.0"
    else:
        assert "api_version" not in body["meta"]
    error: dict[str, Any] = body["error"]
    return error


async def sqlite_only(tmp_path: Path) -> AsyncIterator[Database]:
    """The `database` of modules whose subject is not storage (the tools run no query of
    their own): SQLite alone keeps them from running twice."""
    async for db in open_database("sqlite", tmp_path):
        yield db
