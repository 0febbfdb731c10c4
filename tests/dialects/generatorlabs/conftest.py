"""Fixtures of the Generator Labs dialect tests: a client that authenticates the way 003's
clients do (HTTP Basic `account_sid:auth_token`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from watchwire.services.accounts import CreatedKey


def dialect_client(
    app: FastAPI, key: CreatedKey | None, ip: str = "127.0.0.1"
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    auth = (key.sid, key.secret) if key else None
    return httpx.AsyncClient(transport=transport, base_url="http://watchwire.test/4.0", auth=auth)


@pytest.fixture
async def gl(app: FastAPI, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    async with dialect_client(app, account) as client:
        yield client
