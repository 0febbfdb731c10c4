"""Fixtures of the updown dialect tests: a client that presents its key the way 001's clients
do (`X-Api-Key`), and the check fields every form test starts from."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from watchwire.services.accounts import CreatedKey

BASE = "http://watchwire.test"
# updown's only time form (essentialkaos parses exactly this).
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def asgi_client(app: FastAPI, key: str | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    headers = {"X-Api-Key": key} if key else {}
    return httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers)


@pytest.fixture
async def updown(app: FastAPI, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, account.key) as client:
        yield client
