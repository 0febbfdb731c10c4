"""`watchwire check ping HOST`: ICMP echo round-trip times and packet loss."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
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
from watchwire.probes.net.icmp import Options, Result, probe


def command(
    host: Annotated[str, typer.Argument(help="Host name or IP address.")],
    count: Annotated[int, typer.Option("--count", "-c", help="Echo requests to send (1-10).")] = 4,
    interval: Annotated[float, typer.Option(help="Seconds between requests.")] = 1.0,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each reply.")] = 2.0,
    socket: Annotated[
        Literal["auto", "raw", "datagram"],
        typer.Option(help="raw (root/CAP_NET_RAW) or datagram (ping_group_range)."),
    ] = "auto",
    ipv4: Annotated[bool, typer.Option("--ipv4", "-4", help="Use IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("--ipv6", "-6", help="Use IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Ping a host: RTT min/avg/max/stddev and loss."""
    options = options_or_fail(
        lambda: Options(
            count=count,
            interval=interval,
            timeout=timeout,
            socket=socket,
            family="ipv4" if ipv4 else "ipv6" if ipv6 else "any",
        )
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    host = target_or_fail("icmp", host)
    result = run(lambda: probe(host, options, ctx), spinner=f"Pinging {host}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    title = f"{result.host} ({result.address}), {result.socket} socket"
    table = Table(title=title, title_justify="left")
    for column in ("sent", "received", "loss", "min", "avg", "max", "stddev"):
        table.add_column(column, justify="right")
    loss_style = "green" if result.loss_pct == 0 else "red" if result.loss_pct == 100 else "yellow"

    def ms(value: float | None) -> str:
        return f"{value:.3f} ms" if value is not None else "—"

    table.add_row(
        str(result.packets_sent),
        str(result.packets_received),
        f"[{loss_style}]{result.loss_pct:g}%[/]",
        ms(result.rtt_min_ms),
        ms(result.rtt_avg_ms),
        ms(result.rtt_max_ms),
        ms(result.rtt_stddev_ms),
    )
    console.print(table)
    if result.reason:
        console.print(f"[red]{result.reason}[/]")
