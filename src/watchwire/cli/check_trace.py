"""`watchwire check trace HOST`: the routers on the way to a host, hop by hop."""

from __future__ import annotations

from typing import Annotated, Literal

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
from watchwire.probes.net.traceroute import Options, Result, probe


def command(
    host: Annotated[str, typer.Argument(help="Host name or IP address.")],
    max_hops: Annotated[int, typer.Option(help="Give up after this many hops (1-64).")] = 30,
    probes: Annotated[int, typer.Option(help="Probes per hop (1-5).")] = 3,
    method: Annotated[
        Literal["auto", "udp", "icmp"],
        typer.Option(help="udp works without privileges; icmp needs root or CAP_NET_RAW."),
    ] = "auto",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each probe.")] = 2.0,
    names: Annotated[bool, typer.Option(help="Look up each hop's reverse name.")] = True,
    ipv4: Annotated[bool, typer.Option("--ipv4", "-4", help="Use IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("--ipv6", "-6", help="Use IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Trace the route to a host: address, name, loss and RTTs of every hop."""
    options = options_or_fail(
        lambda: Options(
            max_hops=max_hops,
            probes_per_hop=probes,
            method=method,
            timeout=timeout,
            resolve_names=names,
            family="ipv4" if ipv4 else "ipv6" if ipv6 else "any",
        )
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    host = target_or_fail("traceroute", host)
    result = run(lambda: probe(host, options, ctx), spinner=f"Tracing the route to {host}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    title = f"{result.host} ({result.address}), {result.method} probes"
    table = Table(title=title, title_justify="left")
    table.add_column("hop", justify="right")
    table.add_column("address")
    table.add_column("name")
    for column in ("loss", "best", "avg", "worst"):
        table.add_column(column, justify="right")

    def ms(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "*"

    for hop in result.hops:
        loss_style = "green" if hop.loss_pct == 0 else "red" if hop.loss_pct == 100 else "yellow"
        table.add_row(
            str(hop.ttl),
            hop.address or "[dim]*[/]",
            escape(hop.name or ""),
            f"[{loss_style}]{hop.loss_pct:g}%[/]",
            ms(hop.best_ms),
            ms(hop.avg_ms),
            ms(hop.worst_ms),
        )
    console.print(table)
    if result.reached:
        count = len(result.hops)
        console.print(f"[green]reached {result.address} in {count} hop{'s' * (count != 1)}[/]")
    else:
        console.print(f"[red]{result.reason}[/]")
