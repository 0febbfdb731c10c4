"""Fixtures of the blocklist-monitoring tests: a real rbldnsd serving three small lists
(two IPv4 lists and a domain list), and the test settings pointing watchwire's resolver at it,
so the whole app (runtime, API client, jobs) checks hosts against it.

    def test_x(rbl_server: RbldnsdServer, runtime: Runtime) -> None:
        rbl_server.write_zone("bl-one.test", ["192.0.2.10 :127.0.0.2:spam"]); rbl_server.reload()

Import `settings` into a test module to override the shared one, with `rbldnsd_factory`
and `rbl_server` beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.rbldnsd import RbldnsdFactory, RbldnsdServer, ZoneSpec, rbldnsd_factory
from watchwire.config import Settings

__all__ = ["ZONES", "rbl_server", "rbldnsd_factory", "settings"]

ZONES: dict[str, ZoneSpec] = {
    "bl-one.test": ("ip4set", []),
    "bl-two.test": ("ip4set", []),
    "dbl.test": ("dnset", []),
}


@pytest.fixture
def rbl_server(rbldnsd_factory: RbldnsdFactory) -> RbldnsdServer:
    """rbldnsd on 127.0.0.1 serving ZONES (empty but for the RFC 5782 test entries)."""
    return rbldnsd_factory(ZONES)


@pytest.fixture
def settings(tmp_path: Path, rbl_server: RbldnsdServer) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-hashing-key",
        allow_private_targets=True,
        resolver=rbl_server.address,
    )
