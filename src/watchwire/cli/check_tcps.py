"""`watchwire check tcps HOST[:PORT]`: one TCP connect and TLS handshake, timed, with the
certificate checked as a client checks it (what a `tcps` or `ssl` monitor runs; `check ssl`
is the full certificate report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from watchwire.cli._common import console, fail, report, run, validate_options
from watchwire.config import get_settings
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.tcps import Options, Result, probe


def command(
    target: Annotated[str, typer.Argument(help="HOST, HOST:PORT or [IPv6]:PORT (443 default).")],
    port: Annotated[int | None, typer.Option(help="The port, when the target has none.")] = None,
    server_name: Annotated[
        str | None, typer.Option("--sni", help="Name to send and check; default: HOST.")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option(help="PEM bundle to trust instead of the system store.")
    ] = None,
    min_days: Annotated[
        int, typer.Option(help="Down when the certificate has fewer days left.")
    ] = 0,
    timeout: Annotated[float, typer.Option(help="Seconds for connect and handshake.")] = 10.0,
    ipv4: Annotated[bool, typer.Option("-4", help="Connect over IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("-6", help="Connect over IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Connect, shake hands and check the certificate. Exits 0 when up, 2 when not."""
    if ipv4 and ipv6:
        fail("choose -4 or -6, not both")
    options = validate_options(
        Options,
        {
            "port": port,
            "server_name": server_name,
            "ca_file": ca_file,
            "min_days_left": min_days,
            "timeout": timeout,
            "family": "ipv4" if ipv4 else "ipv6" if ipv6 else None,
        },
    )
    ctx = ProbeContext.from_settings(get_settings())
    result = run(lambda: probe(target, options, ctx), spinner=f"Connecting to {target}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    verdict = "[bold green]up[/]" if result.outcome == "up" else "[bold red]down[/]"
    console.print(f"{escape(result.host)}:{result.port} ({result.address}): {verdict}")
    if result.connect_ms is not None:
        console.print(f"  connect {result.connect_ms:.1f} ms")
    if result.handshake_ms is not None:
        console.print(f"  handshake {result.handshake_ms:.1f} ms, {result.tls_version}")
    if result.certificate is not None:
        leaf = result.certificate
        console.print(f"  certificate {escape(leaf.subject)}, issued by {escape(leaf.issuer)}")
        console.print(f"  valid until {leaf.not_after} ({leaf.days_left} days left)")
    for finding in result.findings:
        style = "red" if finding.severity in ("error", "critical") else "yellow"
        console.print(f"  [{style}]{finding.code}[/]: {escape(finding.message)}")
