"""Fixtures of the crash tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.servers.watchwire_processes import SECRET_KEY
from tests.storage import postgres_schema_url
from watchwire.config import Settings
from watchwire.runtime import Runtime


@pytest.fixture
async def postgres_runtime() -> AsyncIterator[Runtime]:
    """A runtime on a PostgreSQL schema that `watchwire` processes reach by URL alone, with
    the processes' secret key (keys created here authenticate there)."""
    async with postgres_schema_url() as url:
        settings = Settings(database_url=url, secret_key=SECRET_KEY, allow_private_targets=True)
        runtime = Runtime.build(settings)
        await runtime.migrate()
        try:
            yield runtime
        finally:
            await runtime.close()
