"""The resource command sets as `watchwire` mounts them; monitors have their own `add`
(kind and target first), the others take the API's body as FIELD=VALUE arguments."""

from __future__ import annotations

from typing import Annotated

import typer

from watchwire.cli.client import Client
from watchwire.cli.resources import (
    CONTACTS,
    MONITORS,
    STATUS_PAGES,
    WEBHOOKS,
    FieldsArgument,
    FileOption,
    JsonOption,
    done,
    read_body,
    resource_app,
)
from watchwire.cli.target import AccountOption, KeyOption, TimeoutOption, UrlOption, call, target


def _monitors_add(app: typer.Typer) -> None:
    @app.command("add")
    def add(
        kind: Annotated[
            str,
            typer.Argument(metavar="KIND", help="http, tcp, dns, heartbeat, … (the API's kinds)."),
        ],
        target_: Annotated[
            str, typer.Argument(metavar="TARGET", help="What to watch (heartbeat: a label or '').")
        ],
        fields: FieldsArgument = None,
        name: Annotated[str | None, typer.Option("--name", help="Default: the target.")] = None,
        interval: Annotated[int | None, typer.Option("--interval", help="Seconds.")] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeat).")] = None,
        file: FileOption = None,
        json_output: JsonOption = False,
        url: UrlOption = None,
        key: KeyOption = None,
        account: AccountOption = None,
        timeout: TimeoutOption = 30.0,
    ) -> None:
        """Create a monitor: KIND TARGET, then any field of the API's body as FIELD=VALUE
        (options.keyword=ok, confirmations:=3)."""
        body: dict[str, object] = {"kind": kind, "target": target_}
        body |= {k: v for k, v in (("name", name), ("interval", interval)) if v is not None}
        if tag:
            body["tags"] = tag
        body |= read_body(file, fields)

        async def work(client: Client) -> dict[str, object]:
            record: dict[str, object] = await client.send_json("POST", MONITORS.path, body)
            return record

        done(call(target(url, key, account, timeout), work), MONITORS, "created", json_output)


monitors_app = resource_app(
    MONITORS, "Uptime monitors: list, add, edit, pause, resume, rm.", _monitors_add
)
webhooks_app = resource_app(WEBHOOKS, "Webhook subscriptions: list, add, edit, rm.")
contacts_app = resource_app(CONTACTS, "Contacts: list, add, edit, pause, resume, rm.")
status_pages_app = resource_app(STATUS_PAGES, "Status pages: list, add, edit, rm.")
