"""`watchwire check port HOST:PORT` or `HOST -p 22 -p 443`: is each port open, refused or
filtered, how fast it answered, and (with --banner) what the service says first."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from watchwire.cli._common import (
    console,
    options_or_fail,
    report,
    run,
    settings_or_fail,
    target_or_fail,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.tcp import Options, Result, probe

STATE_STYLE = {"open": "bold green", "refused": "red", "filtered": "yellow", "error": "magenta"}


def command(
    target: Annotated[str, typer.Argument(help="HOST, HOST:PORT or [IPv6]:PORT.")],
    port: Annotated[
        list[int] | None, typer.Option("--port", "-p", help="Port to check (repeatable).")
    ] = None,
    banner: Annotated[bool, typer.Option(help="Read what the service sends first.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each connection.")] = 5.0,
    ipv4: Annotated[bool, typer.Option("--ipv4", "-4", help="Use IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("--ipv6", "-6", help="Use IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check TCP ports: open / refused / filtered, connect time, optional banner."""
    options = options_or_fail(
        lambda: Options(
            ports=port or [],
            read_banner=banner,
            timeout=timeout,
            family="ipv4" if ipv4 else "ipv6" if ipv6 else "any",
        )
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    target = target_or_fail("tcp", target)
    result = run(lambda: probe(target, options, ctx), spinner=f"Connecting to {target}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    table = Table(title=f"{result.host} ({result.address})", title_justify="left")
    table.add_column("port", justify="right")
    table.add_column("state")
    table.add_column("connect", justify="right")
    table.add_column("banner / error", overflow="fold")
    for status in result.ports:
        style = STATE_STYLE[status.state]
        connect = f"{status.connect_ms:.1f} ms" if status.connect_ms is not None else "—"
        note = status.banner.strip() if status.banner else status.error or ""
        table.add_row(str(status.port), f"[{style}]{status.state}[/]", connect, escape(note))
    console.print(table)
