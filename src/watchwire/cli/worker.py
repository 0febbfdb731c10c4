"""`watchwire worker`: the background work without the API — monitoring engine, scheduled
jobs and deliveries. Any number of these run on any number of machines against one
PostgreSQL. SIGTERM or Ctrl-C stops it gracefully: running work finishes (or its leases are
released) before it exits."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
import uvicorn

from watchwire import logs
from watchwire.app import create_metrics_app
from watchwire.background import run_background, run_location
from watchwire.cli._common import fail, run, settings_or_fail
from watchwire.config import Settings
from watchwire.heap import freeze_startup_objects
from watchwire.http_server import Server, listen
from watchwire.runtime import Runtime
from watchwire.store.migrate import is_current

log = logging.getLogger("watchwire")


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGTERM and SIGINT instead of dying mid-check."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def serve_metrics(settings: Settings, stop: asyncio.Event) -> None:
    """This worker's /metrics on `metrics_listen` until `stop` is set (decision 0034)."""
    address = settings.metrics_address
    assert address is not None
    host, port = address
    try:
        sock = listen(host, port, 128)
    except OSError as exc:
        fail(f"WATCHWIRE_METRICS_LISTEN={settings.metrics_listen}: cannot listen there: {exc}")
    config = uvicorn.Config(
        create_metrics_app(settings),
        host=host,
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        log_level=settings.log_level.lower(),
    )
    server = Server(config, own_signals=True, sock=sock)
    serving = asyncio.create_task(server.serve())
    log.info("worker metrics on http://%s:%d/metrics", host, port)
    await stop.wait()
    server.should_exit = True
    await serving


async def _work(settings: Settings, concurrency: int, location: str) -> None:
    runtime = Runtime.build(settings)
    try:
        if not await is_current(runtime.db):
            fail("the database schema is not current: run `watchwire db upgrade` first")
        stop = asyncio.Event()
        stop_on_signals(stop)
        freeze_startup_objects()
        if location != settings.location and await runtime.locations.exists(location):
            # Another location of the registry, on the shared database: its checks only. A
            # name the registry does not hold is today's label of the server's own work.
            work = run_location(runtime, concurrency=concurrency, location=location, stop=stop)
        else:
            work = run_background(runtime, concurrency=concurrency, location=location, stop=stop)
        if settings.metrics_address is None:
            await work
        else:
            await asyncio.gather(work, serve_metrics(settings, stop))
    finally:
        await runtime.close()


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", min=1, help="Checks at once (default: setting)"),
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(
            "--location",
            help="Location (default: the setting). A location of the registry other than "
            "the server's own runs only that location's checks; any other name is recorded "
            "with each result.",
        ),
    ] = None,
    metrics_listen: Annotated[
        str | None,
        typer.Option(
            "--metrics-listen", help="HOST:PORT for this worker's /metrics (default: setting)"
        ),
    ] = None,
) -> None:
    """Run only the background work: checks, scheduled jobs and deliveries (no API)."""
    settings = settings_or_fail(metrics_listen=metrics_listen)
    logs.configure(settings)
    run(
        lambda: _work(
            settings, concurrency or settings.engine_concurrency, location or settings.location
        )
    )
