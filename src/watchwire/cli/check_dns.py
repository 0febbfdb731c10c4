"""`watchwire check dns NAME [--type MX] [--dnssec]`: ask a DNS server, show the records,
and optionally whether DNSSEC proves them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

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
from watchwire.probes.dns.dns import Options, Result, probe
from watchwire.probes.dns.transport import parse_server

_DNSSEC_STYLE = {
    "secure": "bold green",
    "insecure": "yellow",
    "bogus": "bold red",
    "indeterminate": "magenta",
}


def command(
    name: Annotated[str, typer.Argument(help="Domain name to ask about (an IP for --type PTR).")],
    rdtype: Annotated[
        str, typer.Option("--type", "-t", help="A AAAA CNAME MX NS TXT SOA CAA SRV PTR DS …")
    ] = "A",
    server: Annotated[
        str | None,
        typer.Option(
            help="HOST:PORT of the server to ask (default WATCHWIRE_RESOLVER, then "
            "/etc/resolv.conf)."
        ),
    ] = None,
    dnssec: Annotated[bool, typer.Option(help="Validate the answer with DNSSEC.")] = False,
    resolver_ad: Annotated[
        bool,
        typer.Option(help="Trust the server's AD bit instead of walking the chain here."),
    ] = False,
    trust_anchor: Annotated[
        Path | None,
        typer.Option(help="File of DS/DNSKEY records to trust (default: the root KSKs)."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 5.0,
    tcp: Annotated[bool, typer.Option(help="Ask over TCP.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Look up DNS records, with TTLs, flags and timing; --dnssec to validate them."""
    options = options_or_fail(
        lambda: Options(
            type=rdtype.upper(),
            dnssec=dnssec,
            validation="resolver-ad" if resolver_ad else "chain",
            trust_anchor=trust_anchor,
            timeout=timeout,
            tcp=tcp,
        )
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    if server:
        # Named on the command line by the operator, like WATCHWIRE_RESOLVER: trusted.
        ctx = dataclasses.replace(ctx, resolver=options_or_fail(lambda: parse_server(server)))
    name = target_or_fail("dns", name)
    result = run(lambda: probe(name, options, ctx), spinner=f"Asking for {options.type}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    flags = result.flags
    flag_text = " ".join(n.upper() for n, on in flags.model_dump().items() if on) if flags else "-"
    title = (
        f"{result.name} {result.type} via {result.server}: "
        f"{result.rcode or 'no answer'}  [dim]flags {flag_text or '-'}"
        f"{'  tcp' if result.tcp else ''}  {result.time_ms or 0:.1f} ms[/]"
    )
    if result.answers:
        table = Table(title=title, title_justify="left")
        table.add_column("name", style="cyan")
        table.add_column("type")
        table.add_column("ttl", justify="right")
        table.add_column("value", overflow="fold")
        for record in result.answers:
            table.add_row(record.name, record.type, str(record.ttl), record.value)
        console.print(table)
    else:
        console.print(title)
    bogus = result.dnssec is not None and result.dnssec.status == "bogus"
    if result.outcome != "up" and result.reason and not bogus:
        colour = "red" if result.outcome == "error" else "yellow"
        console.print(f"[{colour}]{result.reason}[/]")
    if result.dnssec is not None:
        style = _DNSSEC_STYLE[result.dnssec.status]
        console.print(
            f"DNSSEC [{style}]{result.dnssec.status}[/] ({result.dnssec.method}): "
            f"{result.dnssec.reason}",
            highlight=False,
        )
        if result.dnssec.zones:
            console.print(f"[dim]zones walked: {' → '.join(result.dnssec.zones)}[/]")
