"""`watchwire check ip HOST`: where an address is (country, region, city, coordinates) and
who runs it (ASN, organisation), from local data only."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from watchwire.cli._common import (
    console,
    report,
    run,
    settings_or_fail,
    target_or_fail,
)
from watchwire.probes.base import ProbeContext
from watchwire.probes.geo.geo import Options, Result, probe


def command(
    host: Annotated[str, typer.Argument(help="IP address or host name.")],
    mmdb: Annotated[
        list[Path] | None,
        typer.Option(help="MaxMind-format .mmdb (City or ASN) to add (repeatable)."),
    ] = None,
    reverse: Annotated[bool, typer.Option(help="Look up reverse DNS names.")] = True,
    ipv4: Annotated[bool, typer.Option("--ipv4", "-4", help="IPv4 addresses only.")] = False,
    ipv6: Annotated[bool, typer.Option("--ipv6", "-6", help="IPv6 addresses only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Geolocate an IP address (or each address of a name): country, ASN, organisation…"""
    base = ProbeContext.from_settings(settings_or_fail())
    ctx = dataclasses.replace(base, geoip_mmdb=(*base.geoip_mmdb, *(mmdb or [])))
    options = Options(reverse_dns=reverse, family="ipv4" if ipv4 else "ipv6" if ipv6 else "any")
    host = target_or_fail("geo", host)
    result = run(lambda: probe(host, options, ctx), spinner=f"Looking up {host}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    for info in result.addresses:
        table = Table(title=info.ip, title_justify="left", show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value")
        rows: list[tuple[str, object]] = [("category", info.category)]
        if info.reverse_name:
            rows.append(("reverse name", info.reverse_name))
        if info.country_code:
            rows.append(("country", f"{info.country_name or ''} ({info.country_code})"))
        rows += [("region", info.region), ("city", info.city)]
        if info.latitude is not None and info.longitude is not None:
            rows.append(("coordinates", f"{info.latitude}, {info.longitude}"))
        if info.asn is not None:
            rows.append(("ASN", f"AS{info.asn}"))
        rows += [("organisation", info.organisation), ("sources", ", ".join(info.sources))]
        for name, value in rows:
            if value:
                table.add_row(name, escape(str(value)))
        console.print(table)
    console.print("[dim]IP geolocation by DB-IP (db-ip.com), ASN data by RouteViews, NRO, DB-IP[/]")
