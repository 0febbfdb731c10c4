"""`watchwire geo`: the embedded IP geolocation data — where it comes from, and refreshing it
from a newer range CSV (`watchwire geo update --from FILE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from watchwire.cli._common import console, fail, print_json
from watchwire.probes.geo import data as _geo_data
from watchwire.probes.geo.geo import EMBEDDED_DATA

geo_app = typer.Typer(help="The embedded IP geolocation data.", no_args_is_help=True)


@geo_app.command("update")
def update(
    source_file: Annotated[
        Path,
        typer.Option(
            "--from",
            help="CSV of ranges: start,end,CC (country) or start,end,ASN,organisation; "
            "addresses or integers; IPv4, IPv6 or both.",
            exists=True,
            dir_okay=False,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(help="Where the data comes from and its licence, kept in the file."),
    ] = None,
    output: Annotated[
        Path, typer.Option(help="Data file to write (default: the embedded one).")
    ] = EMBEDDED_DATA,
) -> None:
    """Rebuild the embedded data's sections from a CSV, keeping the other sections."""
    base = _geo_data.GeoData.load(output) if output.exists() else None
    try:
        with source_file.open(newline="", encoding="utf-8") as lines:
            rebuilt = _geo_data.update(lines, source or source_file.name, base, output)
    except (ValueError, OSError) as exc:
        fail(f"{source_file}: {exc}")
    console.print(f"[green]rebuilt {', '.join(rebuilt)}[/] in {output}")
    console.print("[dim]running services load the data once: restart them to use it[/]")


@geo_app.command("info")
def info(
    data_file: Annotated[
        Path, typer.Option("--file", help="Data file to describe.")
    ] = EMBEDDED_DATA,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show each section of the data: its source, build date and number of ranges."""
    try:
        described = _geo_data.GeoData.load(data_file).describe()
    except (ValueError, OSError) as exc:
        fail(f"{data_file}: {exc}")
    if as_json:
        print_json(described)
        return
    table = Table(title=str(data_file), title_justify="left")
    for column in ("section", "ranges", "built", "source"):
        table.add_column(column)
    for name, section in described.items():
        table.add_row(name, f"{section['count']:,}", section["built"], section["source"])
    console.print(table)
