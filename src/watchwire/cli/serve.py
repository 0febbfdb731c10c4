"""`watchwire serve` (everything in one process) and `watchwire api` (the HTTP API only)."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
from collections.abc import Callable
from typing import Annotated

import typer
import uvicorn

from watchwire import logs
from watchwire.app import create_app
from watchwire.background import run_background
from watchwire.cli._common import console, describe_database, fail, run, settings_or_fail
from watchwire.config import Settings
from watchwire.heap import freeze_startup_objects
from watchwire.http_server import Server, listen
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.migrate import is_current

log = logging.getLogger("watchwire")

ListenOption = Annotated[
    str | None, typer.Option("--listen", help="HOST:PORT (default: WATCHWIRE_LISTEN)")
]


BACKLOG = 2048  # uvicorn's default


def bind(settings: Settings, given: str | None) -> socket.socket:
    """The API's listening socket, bound before anything is announced: a busy or foreign
    address is one error line naming the setting, not a traceback after "listening"."""
    try:
        return listen(settings.listen_host, settings.listen_port, BACKLOG)
    except OSError as exc:
        where = f"--listen {given}" if given else f"WATCHWIRE_LISTEN={settings.listen}"
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        fail(f"{where}: cannot listen there: {reason}")


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


async def _serve(
    settings: Settings, sock: socket.socket, *, migrate: bool, with_engine: bool = False
) -> None:
    runtime = Runtime.build(settings)
    try:
        if migrate:
            await runtime.migrate()
            await runtime.locations.ensure_own()
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
            # X-Forwarded-For only from the proxies the operator named (none by default).
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=list(settings.trusted_proxies),
            # Requests still running this long after SIGTERM are cut off.
            timeout_graceful_shutdown=math.ceil(settings.stop_grace_seconds),
        )
        if not with_engine:
            server = Server(config, sock=sock)
            log.info(
                "watchwire listening on http://%s:%d", settings.listen_host, settings.listen_port
            )
            freeze_startup_objects()
            await server.serve()
            return
        # The background work drains on SIGTERM too, so the signals are ours, not uvicorn's (it would
        # re-raise SIGTERM after its own shutdown and kill the process mid-drain).
        server = Server(config, own_signals=True, sock=sock)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stopper(server, stop))
        background = asyncio.create_task(
            run_background(
                runtime,
                concurrency=settings.engine_concurrency,
                location=settings.location,
                stop=stop,
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
    settings = settings_or_fail(listen=listen)
    sock = bind(settings, listen)
    logs.configure(settings)
    log.info("watchwire %s", describe_database(settings))
    run(lambda: _serve(settings, sock, migrate=True, with_engine=True))


def api(listen: ListenOption = None) -> None:
    """Run only the HTTP API (scale-out: several of these behind a load balancer)."""
    settings = settings_or_fail(listen=listen)
    sock = bind(settings, listen)
    logs.configure(settings)
    log.info("watchwire %s", describe_database(settings))
    run(lambda: _serve(settings, sock, migrate=False))
