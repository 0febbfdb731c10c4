"""`watchwire check udp HOST:PORT`: send one datagram and show the reply, matched against
`--expect` (a substring) or `--regex` when given."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from watchwire.cli._common import console, fail, report, run, validate_options
from watchwire.config import get_settings
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.udp import Options, Result, probe


def command(
    target: Annotated[str, typer.Argument(help="HOST:PORT or [IPv6]:PORT.")],
    payload: Annotated[str | None, typer.Option(help="Text to send (UTF-8).")] = None,
    payload_hex: Annotated[
        str | None, typer.Option("--hex", help="Bytes to send, as hex (instead of --payload).")
    ] = None,
    expect: Annotated[str | None, typer.Option(help="The reply must contain this text.")] = None,
    regex: Annotated[
        str | None, typer.Option(help="The reply must match this regular expression.")
    ] = None,
    reply: Annotated[
        bool, typer.Option(help="Wait for a reply (--no-reply: only a refusal is down).")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the reply.")] = 5.0,
    ipv4: Annotated[bool, typer.Option("-4", help="Use IPv4 only.")] = False,
    ipv6: Annotated[bool, typer.Option("-6", help="Use IPv6 only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Send a UDP datagram and show the reply. Exits 0 when the check is up, 2 when not."""
    if ipv4 and ipv6:
        fail("choose -4 or -6, not both")
    options = validate_options(
        Options,
        {
            "payload": payload,
            "payload_hex": payload_hex,
            "keyword": expect,
            "regex": regex,
            "expect_reply": reply,
            "timeout": timeout,
            "family": "ipv4" if ipv4 else "ipv6" if ipv6 else None,
        },
    )
    ctx = ProbeContext.from_settings(get_settings())
    result = run(lambda: probe(target, options, ctx), spinner=f"Sending to {target}…")
    report(result, as_json=as_json, render=_print)


def _print(result: Result) -> None:
    verdict = "[bold green]up[/]" if result.outcome == "up" else "[bold red]down[/]"
    console.print(f"{escape(result.target)} ({result.address}): {verdict}")
    console.print(f"  sent {result.sent_bytes} bytes")
    if result.reply is not None:
        console.print(
            f"  reply {result.reply_bytes} bytes in {result.rtt_ms:.1f} ms: {escape(result.reply)}"
        )
    if result.reason:
        console.print(f"  [red]{escape(result.reason)}[/]")
