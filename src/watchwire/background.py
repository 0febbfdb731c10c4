"""Everything that runs besides the API: the uptime engine, the other scheduled jobs and the
delivery worker, started together by `serve` (in-process) and `worker` (scale-out)."""

from __future__ import annotations

import asyncio

from watchwire.delivery.worker import run_delivery
from watchwire.engine.cert_job import CERT_JOB
from watchwire.engine.domain_job import DOMAIN_JOBS
from watchwire.engine.jobs import Job, run_jobs
from watchwire.engine.rbl_job import RBL_JOBS
from watchwire.engine.retention import Retention, run_retention
from watchwire.engine.runner import run_engine, worker_id
from watchwire.runtime import Runtime

# Every scheduled job besides uptime monitors, registered here and only here.
JOBS: list[Job] = [CERT_JOB, *DOMAIN_JOBS, *RBL_JOBS]


async def run_background(
    runtime: Runtime, *, concurrency: int, location: str, stop: asyncio.Event
) -> None:
    """Run until `stop` is set; each part drains its in-flight work before returning."""
    await asyncio.gather(
        run_engine(runtime, concurrency=concurrency, location=location, stop=stop),
        run_jobs(runtime, JOBS, worker_id(location), stop, runtime.settings.stop_grace_seconds),
        run_delivery(runtime, concurrency=runtime.settings.delivery_concurrency, stop=stop),
        run_retention(runtime.db, runtime.clock, Retention.from_settings(runtime.settings), stop),
    )
