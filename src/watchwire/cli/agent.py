"""`watchwire agent`: run one location's checks for a central watchwire over its HTTP API
(not its database), with the location's agent token (`watchwire location add` prints it)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from watchwire import logs
from watchwire.agents.agent import AgentOptions, WrongLocation, run_agent
from watchwire.agents.client import AgentRefused
from watchwire.cli._common import fail, run, settings_or_fail
from watchwire.cli.worker import stop_on_signals
from watchwire.probes.base import ProbeContext


def agent(
    url: Annotated[str, typer.Option("--url", help="The central service's URL.")],
    token: Annotated[
        str,
        typer.Option("--token", envvar="WATCHWIRE_AGENT_TOKEN", help="The location's agent token."),
    ],
    location: Annotated[
        str | None,
        typer.Option("--location", help="The location's code (checked against the token)."),
    ] = None,
    buffer_dir: Annotated[
        Path, typer.Option("--buffer", help="Directory for results waiting to be sent.")
    ] = Path("./watchwire-agent-buffer"),
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1)] = 200,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=1.0, help="Seconds between heartbeats.")
    ] = 15.0,
    max_buffered: Annotated[
        int, typer.Option("--max-buffered", min=100, help="Results kept on disk at most.")
    ] = 100_000,
) -> None:
    """Run checks for one location of a central watchwire, over its HTTP API."""
    settings = settings_or_fail()
    logs.configure(settings)
    options = AgentOptions(
        url=url,
        token=token,
        buffer_dir=buffer_dir,
        concurrency=concurrency,
        heartbeat_seconds=heartbeat,
        max_buffered=max_buffered,
        grace=settings.stop_grace_seconds,
    )

    async def main() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        try:
            await run_agent(options, ProbeContext.from_settings(settings), stop, expected=location)
        except (WrongLocation, AgentRefused) as exc:
            fail(str(exc))

    run(main)
