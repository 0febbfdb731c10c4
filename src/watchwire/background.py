"""Everything that runs besides the API: the uptime engine, the other scheduled jobs and the
delivery worker, started together by `serve` (in-process) and `worker` (scale-out). Each part
is given only what it uses from the runtime: the database, the clock, the probe context and
target policy, and the settings' values."""

from __future__ import annotations

import asyncio
import logging

from watchwire.delivery.worker import DeliveryWorker, WorkerOptions
from watchwire.engine.agent_watch import watch_agents
from watchwire.engine.jobs import Job, run_jobs
from watchwire.engine.location_engine import (
    DatabaseSource,
    LocationEngine,
    LocationEngineConfig,
)
from watchwire.engine.retention import Retention, run_retention
from watchwire.engine.runner import Engine, EngineConfig, worker_id
from watchwire.runtime import Runtime

log = logging.getLogger(__name__)


def jobs_of(runtime: Runtime) -> list[Job]:
    """Every scheduled job besides uptime monitors, registered here and only here: each lives
    beside its service and is built with it."""
    return [
        runtime.certs.job,
        runtime.domains.records_job,
        runtime.domains.expiry_job,
        runtime.domains.batch_job,
        runtime.rbl.host_job,
        runtime.rbl.check_job,
    ]


def engine_of(runtime: Runtime, *, concurrency: int, location: str) -> Engine:
    bootstrap = runtime.settings.rdap_bootstrap_file  # installed by `watchwire rdap update`
    config = EngineConfig(
        concurrency=concurrency,
        location=location,
        grace=runtime.settings.stop_grace_seconds,
        rdap_bootstrap=bootstrap if bootstrap.exists() else None,
        domain_expiry_days=tuple(runtime.settings.domain_expiry_days),
    )
    return Engine(runtime.db, runtime.probe_ctx, runtime.clock, config)


def delivery_worker(runtime: Runtime, *, concurrency: int = 64) -> DeliveryWorker:
    return DeliveryWorker(
        db=runtime.db,
        clock=runtime.clock,
        options=WorkerOptions.from_settings(runtime.settings, concurrency),
        policy=runtime.probe_ctx.policy,
        channel_ctx=runtime.channel_ctx,
    )


def location_engine_of(runtime: Runtime, *, concurrency: int, location: str) -> LocationEngine:
    """The checks of monitors placed at `location`, from the shared database."""
    source = DatabaseSource(runtime.db, runtime.clock, location, worker_id(location))
    config = LocationEngineConfig(
        concurrency=concurrency, grace=runtime.settings.stop_grace_seconds
    )
    return LocationEngine(source, runtime.probe_ctx, runtime.clock, config)


async def run_location(
    runtime: Runtime, *, concurrency: int, location: str, stop: asyncio.Event
) -> None:
    """`worker --location CODE` of another location than the server's own: only that
    location's checks, on the shared database (an agent without HTTP)."""
    await location_engine_of(runtime, concurrency=concurrency, location=location).run(stop)


async def run_background(
    runtime: Runtime, *, concurrency: int, location: str, stop: asyncio.Event
) -> None:
    """Run until `stop` is set; each part drains its in-flight work before returning."""
    engine = engine_of(runtime, concurrency=concurrency, location=location)
    delivery = delivery_worker(runtime, concurrency=runtime.settings.delivery_concurrency)
    log.info("delivery worker %s started (%d slots)", delivery.owner, delivery.options.concurrency)
    await asyncio.gather(
        engine.run(stop),
        run_jobs(
            runtime.db,
            runtime.clock,
            jobs_of(runtime),
            worker_id(location),
            stop,
            runtime.settings.stop_grace_seconds,
        ),
        delivery.run(stop),
        # Monitors placed at several locations: this server's own share of their checks.
        location_engine_of(runtime, concurrency=concurrency, location=location).run(stop),
        watch_agents(runtime.db, runtime.clock, stop),
        run_retention(runtime.db, runtime.clock, Retention.from_settings(runtime.settings), stop),
    )
