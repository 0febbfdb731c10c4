"""`watchwire check rbl IP|DOMAIN|SUBNET`: is a host on DNS blocklists?"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.table import Table

from watchwire.cli._common import (
    EXIT_DOWN,
    console,
    fail,
    print_json,
    run,
    settings_or_fail,
)
from watchwire.hostport import parse_hostport
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl.query import expand_hosts
from watchwire.probes.rbl.rbl import ListResult, Options, Result, check_hosts

_STATUS_STYLE = {
    "listed": "bold red",
    "not_listed": "green",
    "blocked": "yellow",
    "error": "magenta",
    "unknown": "dim",
}


def command(
    target: Annotated[
        str, typer.Argument(help="IP address, IPv6 address or domain; or a subnet/range (≤ 256).")
    ],
    lists: Annotated[
        list[str] | None,
        typer.Option("--list", "-l", help="Zone to ask (repeat). Default: the active catalogue."),
    ] = None,
    resolver: Annotated[
        str | None,
        typer.Option(help="HOST:PORT of your own resolver (default WATCHWIRE_RESOLVER)."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per lookup.")] = 4.0,
    reasons: Annotated[bool, typer.Option(help="Fetch the TXT reason of listings.")] = True,
    health: Annotated[bool, typer.Option(help="Run each list's RFC 5782 self-test.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a host against DNS blocklists through a resolver of your own."""
    try:
        hosts = expand_hosts(target)
        options = Options(
            lists=lists or [], timeout=timeout, fetch_reasons=reasons, check_health=health
        )
        ctx = ProbeContext.from_settings(settings_or_fail())
        if resolver:
            # Named on the command line by the operator, like WATCHWIRE_RESOLVER: trusted.
            ctx = dataclasses.replace(ctx, resolver=parse_hostport(resolver, 53))
    except ValueError as exc:
        fail(str(exc))
    results = run(lambda: check_hosts(hosts, options, ctx), spinner="Asking the blocklists…")
    if as_json:
        print_json([r.to_json() for r in results] if len(results) > 1 else results[0].to_json())
    elif len(results) == 1:
        _print_one(results[0])
    else:
        _print_many(results)
    raise typer.Exit(exit_code(results))


def exit_code(results: list[Result]) -> int:
    """Like every `check`: 2 when a host is listed (down), else 1 when a check could not be
    made (error), else 0."""
    outcomes = {r.outcome for r in results}
    if "down" in outcomes:
        return EXIT_DOWN
    return 1 if "error" in outcomes else 0


def _detail(entry: ListResult) -> str:
    parts = [*entry.meanings]
    if entry.reason:
        parts.append(f'"{entry.reason}"')
    if entry.note:
        parts.append(entry.note)
    if entry.health is not None and entry.health.status != "ok":
        parts.append(f"[yellow]self-test: {entry.health.status}[/]")
    return "\n".join(parts)


def _print_one(result: Result) -> None:
    table = Table(title=f"{result.target} via {result.resolver}", title_justify="left")
    table.add_column("list")
    table.add_column("zone", style="cyan")
    table.add_column("status")
    table.add_column("codes")
    table.add_column("details", overflow="fold")
    table.add_column("ms", justify="right")
    order = {"listed": 0, "blocked": 1, "error": 2, "unknown": 3, "not_listed": 4}
    for entry in sorted(result.lists, key=lambda e: (order[e.status], e.zone)):
        style = _STATUS_STYLE[entry.status]
        status = (
            "allowlisted"
            if entry.purpose == "allow" and entry.status == "listed"
            else (entry.status.replace("_", " "))
        )
        table.add_row(
            entry.name,
            entry.zone,
            f"[{style}]{status}[/]",
            ", ".join(entry.return_codes),
            _detail(entry),
            f"{entry.lookup_ms:.0f}",
        )
    console.print(table)
    _print_summary(result)
    for entry in result.lists:
        if entry.status == "listed" and entry.purpose == "block" and entry.delisting_url:
            console.print(f"  delist from {entry.name}: {entry.delisting_url}", highlight=False)


def _print_summary(result: Result) -> None:
    colour = {"up": "green", "down": "red", "error": "yellow"}[result.outcome]
    text = result.reason or f"not listed on any of {result.total} blocklists"
    console.print(f"[bold {colour}]{result.target}[/]: {text}", highlight=False)


def _print_many(results: list[Result]) -> None:
    table = Table(title=f"{len(results)} hosts", title_justify="left")
    table.add_column("host", style="cyan")
    table.add_column("listed", justify="right")
    table.add_column("on")
    table.add_column("no usable answer", justify="right")
    for result in results:
        listed_on = [e.zone for e in result.lists if e.status == "listed" and e.purpose == "block"]
        unusable = sum(e.status in ("blocked", "error", "unknown") for e in result.lists)
        style = "bold red" if result.listed else "green"
        table.add_row(
            result.target,
            f"[{style}]{result.listed}/{result.total}[/]",
            ", ".join(listed_on),
            str(unusable or ""),
        )
    console.print(table)
    listed = sum(1 for r in results if r.listed)
    console.print(f"{listed} of {len(results)} hosts listed on at least one blocklist")
