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

from watchwire import logs
from watchwire.background import run_background, run_location
from watchwire.cli._common import fail, run, settings_or_fail
from watchwire.heap import freeze_startup_objects
from watchwire.runtime import Runtime
from watchwire.store.migrate import is_current

log = logging.getLogger("watchwire")


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGTERM and SIGINT instead of dying mid-check."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def _work(concurrency: int, location: str) -> None:
    settings = settings_or_fail()
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
            await run_location(runtime, concurrency=concurrency, location=location, stop=stop)
            return
        await run_background(runtime, concurrency=concurrency, location=location, stop=stop)
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
) -> None:
    """Run only the background work: checks, scheduled jobs and deliveries (no API)."""
    settings = settings_or_fail()
    logs.configure(settings)
    run(lambda: _work(concurrency or settings.engine_concurrency, location or settings.location))
