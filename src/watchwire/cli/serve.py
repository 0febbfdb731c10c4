"""`watchwire serve` (everything in one process) and `watchwire api` (the HTTP API only)."""

from __future__ import annotations

import asyncio
import logging
import math
import signal
from collections.abc import Callable
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError as SettingsError

from watchwire import logs
from watchwire.app import create_app
from watchwire.background import run_background
from watchwire.cli._common import console, fail, run
from watchwire.config import Settings
from watchwire.heap import freeze_startup_objects
from watchwire.http_server import Server
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.migrate import is_current

log = logging.getLogger("watchwire")

ListenOption = Annotated[
    str | None, typer.Option("--listen", help="HOST:PORT (default: WATCHWIRE_LISTEN)")
]


def load_settings(listen: str | None = None) -> Settings:
    try:
        settings = Settings()
        return settings.model_copy(update={"listen": listen}) if listen else settings
    except SettingsError as exc:
        fail(f"invalid configuration: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")


def _announce(created: CreatedKey, settings: Settings) -> None:
    base = f"http://{settings.listen_host}:{settings.listen_port}"
    console.print("[bold green]Created the first account.[/] Its API key is shown only once:")
    console.print(f"\n  [bold]{created.key}[/]\n", highlight=False, soft_wrap=True)
    console.print("Try it:", highlight=False)
    console.print(
        f"  curl -H 'X-API-Key: {created.key}' {base}/v1/account\n", highlight=False, soft_wrap=True
    )


def _stopper(server: uvicorn.Server, stop: asyncio.Event) -> Callable[[], None]:
    def handle() -> None:
        server.should_exit = True
        stop.set()

    return handle


async def _serve(settings: Settings, *, migrate: bool, with_engine: bool = False) -> None:
    runtime = Runtime.build(settings)
    try:
        if migrate:
            await runtime.migrate()
            created = await runtime.bootstrap()
            if created is not None:
                _announce(created, settings)
        elif not await is_current(runtime.db):
            fail("the database schema is not current: run `watchwire db upgrade` first")
        config = uvicorn.Config(
            create_app(runtime),
            host=settings.listen_host,
            port=settings.listen_port,
            loop="uvloop",
            http="httptools",
            log_level=settings.log_level.lower(),
            access_log=False,
            log_config=None,
            # Requests still running this long after SIGTERM are cut off.
            timeout_graceful_shutdown=math.ceil(settings.stop_grace_seconds),
        )
        if not with_engine:
            server = Server(config)
            log.info(
                "watchwire listening on http://%s:%d", settings.listen_host, settings.listen_port
            )
            freeze_startup_objects()
            await server.serve()
            return
        # The background work drains on SIGTERM too, so the signals are ours, not uvicorn's (it would
        # re-raise SIGTERM after its own shutdown and kill the process mid-drain).
        server = Server(config, own_signals=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stopper(server, stop))
        background = asyncio.create_task(
            run_background(
                runtime, concurrency=settings.engine_concurrency, location="local", stop=stop
            )
        )
        log.info("watchwire listening on http://%s:%d", settings.listen_host, settings.listen_port)
        freeze_startup_objects()
        try:
            await server.serve()
        finally:
            stop.set()
            await background
    finally:
        await runtime.close()


def serve(listen: ListenOption = None) -> None:
    """Apply migrations and run the whole service in one process (the embedded default)."""
    settings = load_settings(listen)
    logs.configure(settings)
    run(lambda: _serve(settings, migrate=True, with_engine=True))


def api(listen: ListenOption = None) -> None:
    """Run only the HTTP API (scale-out: several of these behind a load balancer)."""
    settings = load_settings(listen)
    logs.configure(settings)
    run(lambda: _serve(settings, migrate=False))
