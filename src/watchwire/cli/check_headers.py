"""`watchwire check headers URL`: the security header check and its 0-100 health score."""

from __future__ import annotations

from typing import Annotated

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
from watchwire.cli.check_http import parse_headers
from watchwire.probes.base import ProbeContext
from watchwire.probes.http.headers import Options, Result, probe

GRADE_STYLE = {"A+": "bold green", "A": "green", "B": "yellow", "C": "yellow", "D": "red"}


def command(
    url: Annotated[str, typer.Argument(help="http:// or https:// URL (a bare host means https).")],
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value' (repeat).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 10.0,
    ipv4: Annotated[bool, typer.Option("-4", help="Connect over IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("-6", help="Connect over IPv6 only.")] = False,
    insecure: Annotated[
        bool, typer.Option("--insecure", "-k", help="Do not verify the TLS certificate.")
    ] = False,
    http_redirect: Annotated[
        bool, typer.Option(help="For https URLs, also check that http:// redirects to https://.")
    ] = True,
    http_port: Annotated[
        int | None, typer.Option(help="Port of the http:// form (default 80).")
    ] = None,
    show_passed: Annotated[
        bool, typer.Option("--all", help="Also list the checks passed.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Grade a site's security and hygiene headers: score 0-100, grade A+ to F, one fix per
    finding. Exits 0 when the site answered, 2 when it did not."""
    if ipv4 and ipv6:
        fail("choose -4 or -6, not both")
    try:
        headers = parse_headers(header or [])
    except ValueError as exc:
        fail(str(exc))
    options: Options = validate_options(
        Options,
        {
            "timeout": timeout,
            "ip_version": 4 if ipv4 else 6 if ipv6 else None,
            "verify_tls": not insecure,
            "headers": headers,
            "check_http_redirect": http_redirect,
            "http_port": http_port,
        },
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    url = target_or_fail("headers", url)
    result = run(lambda: probe(url, options, ctx), spinner=f"Grading {url}…")
    report(result, as_json=as_json, render=lambda shown: print_result(shown, show_passed))


def print_result(result: Result, show_passed: bool = False) -> None:
    if result.score is None:
        console.print(f"[bold red]not graded[/]: {result.reason}", highlight=False)
        return
    table = Table(title=f"{result.final_url} — HTTP {result.status}", title_justify="left")
    table.add_column("category")
    table.add_column("points", justify="right")
    table.add_column("check")
    table.add_column("lost", justify="right")
    table.add_column("finding / fix", overflow="fold")
    for category in result.categories:
        shown = [c for c in category.checks if show_passed or not c.passed]
        colour = "green" if category.score == category.weight else "yellow"
        points = f"[{colour}]{category.score}/{category.weight}[/]"
        if not shown:
            table.add_row(category.name, points, "[green]all passed[/]", "", "")
        for index, check in enumerate(shown):
            detail = check.message if check.passed else f"{check.message}\n[dim]→ {check.fix}[/]"
            lost = f"[red]-{check.lost}[/]" if check.lost else "[green]0[/]"
            first = index == 0
            table.add_row(
                category.name if first else "", points if first else "", check.code, lost, detail
            )
    console.print(table)
    style = GRADE_STYLE.get(result.grade or "", "bold red")
    console.print(
        f"score [bold]{result.score}[/]/100 · grade [{style}]{result.grade}[/] · "
        f"answered in {result.response_ms or 0:.0f} ms",
        highlight=False,
    )
