"""`watchwire rdap`: the RDAP bootstrap data that finds each TLD's registry — installing a
newer copy of IANA's dns.json (`update --from FILE`), describing the one in use (`info`),
and looking a domain's registration up (`lookup DOMAIN`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from watchwire.cli._common import (
    console,
    fail,
    options_or_fail,
    print_json,
    report,
    run,
    settings_or_fail,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.rdap import rdap

rdap_app = typer.Typer(help="RDAP bootstrap data and registration lookups.", no_args_is_help=True)


def _in_use() -> tuple[Path, bool]:
    """The bootstrap file lookups use, and whether it is the installed (not shipped) one."""
    installed = settings_or_fail().rdap_bootstrap_file
    return (installed, True) if installed.exists() else (rdap.shipped_path(), False)


@rdap_app.command("update")
def update(
    source_file: Annotated[
        Path,
        typer.Option(
            "--from",
            help="IANA's RDAP bootstrap file for DNS (https://data.iana.org/rdap/dns.json).",
            exists=True,
            dir_okay=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(help="Where to install it (default: the rdap_bootstrap_file setting)."),
    ] = None,
) -> None:
    """Check a dns.json and install it; lookups use it instead of the shipped copy."""
    try:
        text = source_file.read_text(encoding="utf-8")
        data = rdap.Bootstrap.parse(json.loads(text))
    except (ValueError, OSError) as exc:
        fail(f"{source_file}: {exc}")
    target = output or settings_or_fail().rdap_bootstrap_file
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)  # readers never see half a file
    console.print(
        f"[green]installed[/] {len(data.services)} TLDs "
        f"(published {data.publication or 'undated'}) in {target}"
    )


@rdap_app.command("info")
def info(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Which bootstrap file is in use, its publication date and how many TLDs it names."""
    path, installed = _in_use()
    data = rdap.load_bootstrap(path)
    described = {
        "file": str(path),
        "source": "installed" if installed else "shipped",
        "publication": data.publication,
        "tlds": len(data.services),
    }
    if as_json:
        print_json(described)
        return
    table = Table(show_header=False)
    for key, value in described.items():
        table.add_row(key, str(value))
    console.print(table)


@rdap_app.command("lookup")
def lookup(
    domain: Annotated[str, typer.Argument(help="Domain name, e.g. example.com")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the registry.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A domain's registration: expiry, registrar, statuses, from its registry's RDAP."""
    path, installed = _in_use()
    options = options_or_fail(
        lambda: rdap.Options(timeout=timeout, bootstrap_file=path if installed else None)
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    result = run(
        lambda: rdap.probe(domain, options, ctx), spinner=f"Asking the registry of {domain}…"
    )
    report(result, as_json=as_json, render=_print_registration)


def _print_registration(result: rdap.Result) -> None:
    colour = {"registered": "green", "expired": "red", "not_found": "red"}.get(
        result.status, "yellow"
    )
    table = Table(show_header=False, title=result.domain, title_justify="left")
    table.add_row("status", f"[{colour}]{result.status}[/]")
    for label, value in (
        ("expires", result.expires_at),
        ("days left", result.days_left),
        ("registered", result.registered_at),
        ("registrar", result.registrar),
        ("statuses", ", ".join(result.statuses)),
        ("nameservers", ", ".join(result.nameservers)),
        ("RDAP server", result.rdap_server),
        ("reason", result.reason),
    ):
        if value not in (None, ""):
            table.add_row(label, escape(str(value)))
    console.print(table)
