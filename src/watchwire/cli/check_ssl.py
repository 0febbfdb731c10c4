"""`watchwire check ssl HOST[:PORT]`: the certificate chain of a server on any of the 15
certificate-monitor protocols, with everything wrong with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.table import Table

from watchwire.cli._common import (
    console,
    fail,
    report,
    run,
    settings_or_fail,
    target_or_fail,
    validate_options,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.tls import Options, Protocol, Result, probe

OUTCOME_STYLE = {"up": "bold green", "down": "bold red", "error": "bold yellow"}
SEVERITY_STYLE = {"info": "dim", "warning": "yellow", "error": "red", "critical": "bold red"}
PROTOCOLS = ", ".join(get_args(Protocol))


def command(
    target: Annotated[str, typer.Argument(help="HOST, HOST:PORT or [IPv6]:PORT.")],
    protocol: Annotated[str, typer.Option(help=f"One of: {PROTOCOLS}.")] = "https",
    port: Annotated[int | None, typer.Option(help="Default: the protocol's port.")] = None,
    server_name: Annotated[
        str | None, typer.Option("--sni", help="Name to send and check; default: HOST.")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option(help="PEM bundle to trust instead of the system store.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per connection.")] = 10.0,
    warn_days: Annotated[int, typer.Option(help="Warn when fewer days are left.")] = 30,
    revocation: Annotated[bool, typer.Option(help="Check OCSP / CRL.")] = True,
    legacy: Annotated[bool, typer.Option(help="Try TLS 1.0 and 1.1 too.")] = True,
    caa: Annotated[bool, typer.Option(help="Check the CAA records of the name.")] = False,
    caa_identifier: Annotated[
        list[str] | None,
        typer.Option(help="CAA identifier of the issuing CA, e.g. letsencrypt.org (repeat)."),
    ] = None,
    ipv4: Annotated[bool, typer.Option("-4", help="Connect over IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("-6", help="Connect over IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Show a server's certificate chain as presented, its TLS version and cipher, and every
    finding (expiry, name, trust, chain order, weak keys, legacy TLS, revocation, CAA).
    Exits 0 when the certificate is fine, 2 when not."""
    if ipv4 and ipv6:
        fail("choose -4 or -6, not both")
    options = validate_options(
        Options,
        {
            "protocol": protocol,
            "port": port,
            "server_name": server_name,
            "ca_file": ca_file,
            "timeout": timeout,
            "expiry_warning_days": warn_days,
            "check_revocation": revocation,
            "check_legacy_versions": legacy,
            "check_caa": caa,
            "caa_identifiers": caa_identifier or None,
            "family": "ipv4" if ipv4 else "ipv6" if ipv6 else "any",
        },
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    target = target_or_fail("tls", target)
    result = run(lambda: probe(target, options, ctx), spinner=f"Checking {target}…")
    report(result, as_json=as_json, render=print_result)


def print_result(result: Result) -> None:
    style = OUTCOME_STYLE[result.outcome]
    where = f"{result.host} port {result.port} ({result.protocol})"
    if result.address and result.address != result.host:
        where += f" at {result.address}"
    console.print(f"[{style}]{result.outcome.upper()}[/] {where}", highlight=False)
    if result.tls_version:
        cipher = f", {result.cipher.name} ({result.cipher.bits} bits)" if result.cipher else ""
        console.print(
            f"{result.tls_version}{cipher}, name checked: {result.server_name}", highlight=False
        )
    if result.chain:
        console.print(chain_table(result))
    if result.revocation:
        console.print(f"Revocation: {result.revocation.status} ({result.revocation.detail})")
    if result.caa:
        console.print(f"CAA: {result.caa.reason}")
    if result.findings:
        console.print(findings_table(result))
    elif result.outcome == "up":
        console.print("[green]No findings.[/]")


def chain_table(result: Result) -> Table:
    table = Table(title="Chain as presented", title_justify="left")
    for column in ("#", "subject", "issuer", "valid until", "key", "signature", "SHA-256"):
        table.add_column(column, overflow="fold")
    for position, cert in enumerate(result.chain):
        days = cert.days_left
        colour = "red" if days < 0 else "yellow" if days <= 30 else "green"
        names = f"\n[dim]{', '.join(cert.sans)}[/]" if cert.sans else ""
        table.add_row(
            str(position),
            cert.subject + names,
            cert.issuer,
            f"{cert.not_after}\n[{colour}]{days} days[/]",
            f"{cert.key_type} {cert.key_size}",
            cert.signature_algorithm,
            cert.fingerprint_sha256.removeprefix("SHA256:")[:23] + "…",
        )
    return table


def findings_table(result: Result) -> Table:
    table = Table(title="Findings", title_justify="left")
    for column in ("severity", "code", "category", "finding"):
        table.add_column(column, overflow="fold")
    for item in result.findings:
        category = (item.details or {}).get("category", "")
        table.add_row(
            f"[{SEVERITY_STYLE[item.severity]}]{item.severity}[/]",
            item.code,
            str(category),
            item.message,
        )
    return table
