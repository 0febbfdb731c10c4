"""Fixtures of the Entri Monitor dialect tests: a client that authenticates the way 002's
clients do — `POST /token` with the key's SID and secret, then `applicationId` and
`Authorization: Bearer <token>` on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from watchwire.services.accounts import CreatedKey

BASE = "http://watchwire.test"


def asgi_client(app: FastAPI, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE)


async def token_for(client: httpx.AsyncClient, key: CreatedKey) -> str:
    response = await client.post("/token", json={"applicationId": key.sid, "secret": key.secret})
    assert response.status_code == 200, response.text
    return str(response.json()["auth_token"])


async def signed_in(client: httpx.AsyncClient, key: CreatedKey) -> httpx.AsyncClient:
    """`client` with 002's two headers set for `key`."""
    token = await token_for(client, key)
    client.headers.update({"applicationId": key.sid, "Authorization": f"Bearer {token}"})
    return client


@pytest.fixture
async def entri(app: FastAPI, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield await signed_in(client, account)
