"""Shared fixtures. Fixtures that start real local servers live in tests/servers/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.storage import BACKENDS, open_database
from watchwire.app import create_app
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database
from watchwire.target_policy import TargetPolicy

# Modules whose tests start whole `watchwire` processes, a browser or a package build, and
# time what those do: under `make test`'s workers they run one at a time on one worker, so
# two of them never crowd the two cores at once (decision 0038).
SERIAL_MODULES = (
    "tests/agents/test_netns.py",
    "tests/cli/",
    "tests/crash/",
    "tests/delivery/test_crash.py",
    "tests/docs/test_examples.py",
    "tests/engine/test_serve.py",
    "tests/engine/test_workers.py",
    "tests/test_backup.py",
    "tests/test_cli_settings.py",
    "tests/test_logs.py",
    "tests/test_makefile.py",
    "tests/test_packaging.py",
    "tests/web/test_browser.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        where = item.path.relative_to(root).as_posix()
        if where.startswith(SERIAL_MODULES):
            item.add_marker(pytest.mark.xdist_group("processes"))


@pytest.fixture
def probe_ctx() -> ProbeContext:
    """A probe context that may reach loopback (every test target lives on 127.0.0.1/::1)."""
    return ProbeContext(policy=TargetPolicy(allow_private=True))


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    async for db in open_database(request.param, tmp_path):
        yield db


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-hashing-key",
        allow_private_targets=True,
    )


@pytest.fixture
async def runtime(
    database: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[Runtime]:
    rt = Runtime.build(settings, db=database, clock=clock)
    yield rt


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime)


def client_for(app: FastAPI, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://watchwire.test")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


@pytest.fixture
async def account(runtime: Runtime) -> CreatedKey:
    """An account on the Business plan and its full-access key."""
    return await runtime.accounts.create_account("acme", plan="business")


@pytest.fixture
def auth(account: CreatedKey) -> dict[str, str]:
    return {"X-API-Key": account.key}
