"""The scheduled job of certificate monitors: each due monitor is checked by the certificate
service (services/certs.py), which writes its state, errors, events and the end of its lease
in one transaction. Registered in watchwire/background.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.jobs import Job
from watchwire.services.cert_check import LEASE_SECONDS
from watchwire.store.tables_certs import cert_monitors

if TYPE_CHECKING:
    from watchwire.runtime import Runtime

# Checks in flight per worker: each is one TLS handshake (a few with legacy versions).
CONCURRENCY = 100


async def run_cert_monitor(runtime: Runtime, row: Any, owner: str) -> None:
    await runtime.certs.run_check(row, owner)


CERT_JOB = Job(
    name="cert monitors",
    table=cert_monitors,
    lease_seconds=LEASE_SECONDS,
    run=run_cert_monitor,
    concurrency=CONCURRENCY,
)
