"""A dashboard user of each role in the test account, and clients signed in as them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from tests.conftest import client_for
from tests.storage import open_database
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.users import UserService
from watchwire.store.database import Database

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
async def runtime(
    database: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    """The runtime, with argon2 at its cheapest: a hash of the default cost takes ~0.4 s
    on a busy CI machine, and these tests sign in often."""
    built = Runtime.build(settings, db=database, clock=clock)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    built.users = UserService(database, settings.hashing_key(), clock, hasher=cheap)
    yield built


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only: this face renders the services' records, whose storage is tested on
    both backends beside the services."""
    async for db in open_database("sqlite", tmp_path):
        yield db


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:2000]
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/login")
    return await client.post(
        "/login", data={"csrf": csrf_of(form.text), "email": email, "password": password}
    )


async def signed_in_client(
    app: FastAPI, runtime: Runtime, account: CreatedKey, role: str
) -> httpx.AsyncClient:
    email = f"{role}@acme.test"
    await runtime.users.create_user(account.account_sid, email, role, PASSWORD)
    client = client_for(app)
    answer = await sign_in(client, email)
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
async def owner(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in_client(app, runtime, account, "owner")
    yield client
    await client.aclose()


@pytest.fixture
async def viewer(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in_client(app, runtime, account, "viewer")
    yield client
    await client.aclose()
