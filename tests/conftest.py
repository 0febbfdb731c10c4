"""Shared fixtures. Fixtures that start real local servers live in tests/servers/."""

from __future__ import annotations

import pytest

from watchwire.probes.base import ProbeContext
from watchwire.target_policy import TargetPolicy


@pytest.fixture
def probe_ctx() -> ProbeContext:
    """A probe context that may reach loopback (every test target lives on 127.0.0.1/::1)."""
    return ProbeContext(policy=TargetPolicy(allow_private=True))
