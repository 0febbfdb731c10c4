"""`watchwire events tail`: the account's latest events, then (with --follow) the new ones
as they are recorded, by polling `/v1/events` (a request every --every seconds)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Annotated, Any

import typer
from rich.markup import escape

from watchwire.cli._common import console
from watchwire.cli.client import Client
from watchwire.cli.target import AccountOption, KeyOption, TimeoutOption, UrlOption, call, target

events_app = typer.Typer(
    help="Events: what happened to the account's resources.", no_args_is_help=True
)


def _show(event: dict[str, Any], as_json: bool) -> None:
    if as_json:  # one object a line, so a script reads each as it comes
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()
        return
    resource = event.get("resource_sid") or "-"
    console.print(
        f"{event['created_at']}  [bold]{escape(event['type'])}[/]  {resource}  "
        f"{escape(event['description'])}",
        highlight=False,
        soft_wrap=True,
    )


@events_app.command("tail")
def tail(
    lines: Annotated[
        int,
        typer.Option("--lines", "-n", min=0, max=100, help="How many of the latest to show first."),
    ] = 10,
    follow: Annotated[
        bool, typer.Option("--follow", "-F", help="Keep printing new events.")
    ] = False,
    every: Annotated[float, typer.Option("--every", min=0.2, help="Seconds between polls.")] = 2.0,
    for_seconds: Annotated[
        float | None, typer.Option("--for", min=0, help="Stop following after this many seconds.")
    ] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only this event type (repeat).")
    ] = None,
    monitor: Annotated[
        str | None, typer.Option("--monitor", help="Only events of this monitor (MO…).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    url: UrlOption = None,
    key: KeyOption = None,
    account: AccountOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Print the latest events, oldest first; --follow keeps printing new ones."""
    query: dict[str, str | int | list[str]] = {}
    if type_:
        query["type"] = type_
    if monitor:
        query["monitor"] = monitor

    async def work(client: Client) -> None:
        data, _ = await client.request("GET", "/events", query={**query, "per_page": max(lines, 1)})
        latest = list(reversed(data[:lines]))
        seen = {event["sid"] for event in data}
        for event in latest:
            _show(event, json_output)
        since = data[0]["created_at"] if data else None
        stop = None if for_seconds is None else time.monotonic() + for_seconds
        while follow and (stop is None or time.monotonic() < stop):
            await asyncio.sleep(
                every if stop is None else max(0.0, min(every, stop - time.monotonic()))
            )
            window = {**query, "from": since} if since else query
            fresh = [e for e in await client.get_all("/events", window) if e["sid"] not in seen]
            for event in reversed(fresh):
                seen.add(event["sid"])
                since = event["created_at"]
                _show(event, json_output)

    call(target(url, key, account, timeout), work)
