"""`watchwire check http URL`: one request with redirects, timings and expectations."""

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
from watchwire.probes.base import ProbeContext
from watchwire.probes.http.http import Options, Result, probe

OUTCOME_STYLE = {"up": "bold green", "down": "bold red", "error": "bold yellow"}
PHASES = (
    ("DNS lookup", "dns_lookup_ms"),
    ("TCP connect", "tcp_connect_ms"),
    ("TLS handshake", "tls_handshake_ms"),
    ("first byte", "first_byte_ms"),
    ("transfer", "transfer_ms"),
    ("redirects", "redirects_ms"),
    ("total", "total_ms"),
)


def parse_headers(lines: list[str]) -> dict[str, str]:
    """`"Name: value"` lines (curl's -H) as a dict; ValueError for a line without a colon."""
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"header {line!r} is not in the form 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


def command(
    url: Annotated[str, typer.Argument(help="http:// or https:// URL (a bare host means https).")],
    method: Annotated[str, typer.Option("--method", "-X", help="GET, HEAD, POST, …")] = "GET",
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value' (repeat).")
    ] = None,
    data: Annotated[str | None, typer.Option("--data", "-d", help="Request body.")] = None,
    follow: Annotated[bool, typer.Option(help="Follow redirects.")] = True,
    max_redirects: Annotated[int, typer.Option(help="Most redirects to follow.")] = 10,
    expect: Annotated[
        list[str] | None,
        typer.Option("--expect", "-e", help="Accepted status: 200, 2xx or 200-299 (repeat)."),
    ] = None,
    keyword: Annotated[str | None, typer.Option(help="Text the body must contain.")] = None,
    regex: Annotated[str | None, typer.Option(help="Regular expression the body must match.")] = (
        None
    ),
    absent: Annotated[
        bool, typer.Option("--absent", help="The keyword/regex must NOT appear instead.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds for the whole check.")] = 10.0,
    ipv4: Annotated[bool, typer.Option("-4", help="Connect over IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("-6", help="Connect over IPv6 only.")] = False,
    insecure: Annotated[
        bool, typer.Option("--insecure", "-k", help="Do not verify the TLS certificate.")
    ] = False,
    max_body: Annotated[
        int, typer.Option(help="Bytes of body kept for matching; reading stops beyond.")
    ] = 1_048_576,
    show_headers: Annotated[
        bool, typer.Option("--headers", help="Also print the response headers.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Request a URL like a monitor would: status, redirect chain, TLS version, and a timing
    breakdown measured on a fresh connection. Exits 0 when up, 2 when down or in error."""
    if ipv4 and ipv6:
        fail("choose -4 or -6, not both")
    try:
        headers = parse_headers(header or [])
    except ValueError as exc:
        fail(str(exc))
    options: Options = validate_options(
        Options,
        {
            "method": method.upper(),
            "headers": headers,
            "body": data,
            "follow_redirects": follow,
            "max_redirects": max_redirects,
            "expected_status": expect,
            "keyword": keyword,
            "regex": regex,
            "match_absent": absent,
            "timeout": timeout,
            "ip_version": 4 if ipv4 else 6 if ipv6 else None,
            "verify_tls": not insecure,
            "max_body_bytes": max_body,
        },
    )
    ctx = ProbeContext.from_settings(settings_or_fail())
    url = target_or_fail("http", url)
    result = run(lambda: probe(url, options, ctx), spinner=f"Requesting {url}…")
    report(result, as_json=as_json, render=lambda shown: print_result(shown, show_headers))


def print_result(result: Result, show_headers: bool = False) -> None:
    if result.redirects:
        chain = Table(title="redirects", title_justify="left")
        for column in ("status", "url", "location", "address", "ms"):
            chain.add_column(column, justify="right" if column == "ms" else "left")
        for hop in result.redirects:
            chain.add_row(
                str(hop.status), hop.url, hop.location, hop.address or "", f"{hop.total_ms:.1f}"
            )
        console.print(chain)
    timings = Table(title="timings", title_justify="left")
    timings.add_column("phase")
    timings.add_column("ms", justify="right")
    values = result.timings.model_dump()
    for label, key in PHASES:
        if values[key] is not None and (key != "redirects_ms" or result.redirects):
            style = "bold" if key == "total_ms" else ""
            timings.add_row(
                label, f"[{style}]{values[key]:.1f}[/]" if style else f"{values[key]:.1f}"
            )
    console.print(timings)
    if show_headers and result.headers:
        table = Table(title="response headers", title_justify="left")
        table.add_column("name", style="cyan")
        table.add_column("value", overflow="fold")
        for name, value in result.headers.items():
            table.add_row(name, value)
        for cookie in result.set_cookies:
            table.add_row("Set-Cookie", cookie)
        console.print(table)
    facts = [f"HTTP/{result.http_version} {result.status}" if result.status else None]
    facts += [result.tls_version, result.address, f"{result.size_bytes} bytes"]
    if result.body_truncated:
        facts.append("body cut at the read limit")
    console.print(" · ".join(f for f in facts if f), highlight=False)
    style = OUTCOME_STYLE[result.outcome]
    text = result.reason or f"{result.status} from {result.final_url}"
    console.print(f"[{style}]{result.outcome}[/]: {text}", highlight=False)
