"""`watchwire monitors|webhooks|contacts|status-pages list|show|add|edit|rm` (and
`pause|resume` where the API has them): one command set per resource, all made by
`resource_app` from a ResourceSpec, all speaking the native API (cli/client.py). A
resource is named by its SID (a status page by its token) or by its name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from watchwire.cli._common import console, fail, print_json
from watchwire.cli.client import Client
from watchwire.cli.fields import parse_assignments
from watchwire.cli.target import (
    AccountOption,
    KeyOption,
    TimeoutOption,
    UrlOption,
    call,
    target,
)
from watchwire.errors import NotFoundError, ValidationError, WatchwireError
from watchwire.ids import is_sid

JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
FieldsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FIELD=VALUE...",
        help="FIELD=TEXT or FIELD:=JSON (dotted for nested: options.keyword=ok).",
    ),
]
RefArgument = Annotated[
    str, typer.Argument(metavar="ID|NAME", help="Its SID (a status page: its token) or its name.")
]
FileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="A JSON or YAML body; FIELD arguments override it."),
]


@dataclass(frozen=True)
class ResourceSpec:
    """What differs between the resources: the API path, the id field, the table."""

    noun: str  # one of them, as messages say it
    path: str
    columns: tuple[tuple[str, str], ...]  # (heading, field of the API's JSON)
    sid_kind: str | None  # ids.PREFIXES kind; None: the id is a token (status pages)
    id_field: str = "sid"
    pausable: bool = False


MONITORS = ResourceSpec(
    "monitor",
    "/monitors",
    (
        ("SID", "sid"),
        ("name", "name"),
        ("kind", "kind"),
        ("target", "target"),
        ("every", "interval"),
        ("state", "state"),
        ("paused", "paused"),
    ),
    "monitor",
    pausable=True,
)
WEBHOOKS = ResourceSpec(
    "webhook",
    "/webhooks",
    (
        ("SID", "sid"),
        ("name", "name"),
        ("url", "url"),
        ("format", "format"),
        ("active", "is_active"),
        ("events", "events"),
    ),
    "webhook",
)
CONTACTS = ResourceSpec(
    "contact",
    "/contacts",
    (
        ("SID", "sid"),
        ("name", "name"),
        ("type", "type"),
        ("contact", "contact"),
        ("status", "status"),
    ),
    "contact",
    pausable=True,
)
STATUS_PAGES = ResourceSpec(
    "status page",
    "/status-pages",
    (
        ("token", "token"),
        ("name", "name"),
        ("visibility", "visibility"),
        ("components", "components"),
        ("url", "url"),
    ),
    None,
    id_field="token",
)


def cell(value: Any) -> str:
    """A JSON value as a table shows it."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return str(len(value))
        return ",".join(map(str, value)) or "-"
    return str(value)


def print_table(spec: ResourceSpec, items: list[dict[str, Any]]) -> None:
    table = Table()
    for heading, _ in spec.columns:
        table.add_column(heading, overflow="fold")  # a SID cut short is no use
    for item in items:
        # Text, not markup: names and targets are the user's, shown as written.
        table.add_row(*(Text(cell(item.get(field))) for _, field in spec.columns))
    console.print(table)


def print_record(record: dict[str, Any]) -> None:
    table = Table("field", "value", show_header=False)
    for name, value in record.items():
        shown = cell(value) if not isinstance(value, dict) else str(value or "-")
        table.add_row(Text(name), Text(shown))
    console.print(table)


async def resolve(client: Client, spec: ResourceSpec, ref: str) -> str:
    """The id of the resource `ref` names: its SID (or token) as given, or the id of the one
    resource with that name."""
    if spec.sid_kind is not None and is_sid(spec.sid_kind, ref):
        return ref
    items = await client.get_all(spec.path)
    named = [item[spec.id_field] for item in items if item.get("name") == ref]
    if len(named) > 1:
        raise ValidationError.field(
            spec.id_field,
            "unique",
            f"{len(named)} {spec.noun}s are named {ref!r}: give the {spec.id_field}",
        )
    if named:
        return str(named[0])
    if spec.sid_kind is None and any(item[spec.id_field] == ref for item in items):
        return ref
    raise NotFoundError(f"no {spec.noun} named {ref!r}")


def read_body(file: Path | None, fields: list[str] | None) -> dict[str, Any]:
    """The body `--file` and FIELD arguments give (the arguments win); a bad one is one
    error line."""
    from watchwire.cli.manifest import load_document

    body: dict[str, Any] = {}
    try:
        if file is not None:
            loaded = load_document(file)
            if not isinstance(loaded, dict):
                fail(f"{file}: the body must be an object")
            body.update(loaded)
        body.update(parse_assignments(fields or []))
    except WatchwireError as exc:
        fail(exc.message)
    return body


def done(
    record: Any, spec: ResourceSpec, what: str, as_json: bool, ident: str | None = None
) -> None:
    """The API's answer as JSON, or one line saying what happened to which resource."""
    if as_json:
        print_json(record)
        return
    shown = record if isinstance(record, dict) else {}
    ident = str(shown.get(spec.id_field) or ident)
    name = f" ({escape(str(shown['name']))})" if shown.get("name") else ""
    console.print(f"{spec.noun} [bold]{ident}[/]{name} {what}", highlight=False)


def _add_list(app: typer.Typer, spec: ResourceSpec) -> None:
    @app.command("list")
    def list_(
        json_output: JsonOption = False,
        url: UrlOption = None,
        key: KeyOption = None,
        account: AccountOption = None,
        timeout: TimeoutOption = 30.0,
    ) -> None:
        items = call(target(url, key, account, timeout), lambda c: c.get_all(spec.path))
        if json_output:
            print_json(items)
        else:
            print_table(spec, items)

    list_.__doc__ = f"List the account's {spec.noun}s."

    @app.command("show")
    def show(
        ref: RefArgument,
        json_output: JsonOption = False,
        url: UrlOption = None,
        key: KeyOption = None,
        account: AccountOption = None,
        timeout: TimeoutOption = 30.0,
    ) -> None:
        async def work(client: Client) -> Any:
            return await client.get(f"{spec.path}/{await resolve(client, spec, ref)}")

        record = call(target(url, key, account, timeout), work)
        if json_output:
            print_json(record)
        else:
            print_record(record)

    show.__doc__ = f"One {spec.noun}, every field."


def _add_action(
    app: typer.Typer, spec: ResourceSpec, name: str, method: str, suffix: str, what: str
) -> None:
    def action(
        ref: RefArgument,
        json_output: JsonOption = False,
        url: UrlOption = None,
        key: KeyOption = None,
        account: AccountOption = None,
        timeout: TimeoutOption = 30.0,
    ) -> None:
        async def work(client: Client) -> tuple[str, Any]:
            ident = await resolve(client, spec, ref)
            return ident, await client.send_json(method, f"{spec.path}/{ident}{suffix}")

        ident, record = call(target(url, key, account, timeout), work)
        done(record, spec, what, json_output, ident)

    action.__doc__ = f"{what.capitalize()} a {spec.noun}."
    app.command(name)(action)


def _add_writes(app: typer.Typer, spec: ResourceSpec, *, with_add: bool) -> None:
    if with_add:

        @app.command("add")
        def add(
            fields: FieldsArgument = None,
            file: FileOption = None,
            json_output: JsonOption = False,
            url: UrlOption = None,
            key: KeyOption = None,
            account: AccountOption = None,
            timeout: TimeoutOption = 30.0,
        ) -> None:
            body = read_body(file, fields)
            record = call(
                target(url, key, account, timeout),
                lambda c: c.send_json("POST", spec.path, body),
            )
            done(record, spec, "created", json_output)

        add.__doc__ = f"Create a {spec.noun} from FIELD=VALUE arguments (the API's body)."

    @app.command("edit")
    def edit(
        ref: RefArgument,
        fields: FieldsArgument = None,
        file: FileOption = None,
        json_output: JsonOption = False,
        url: UrlOption = None,
        key: KeyOption = None,
        account: AccountOption = None,
        timeout: TimeoutOption = 30.0,
    ) -> None:
        body = read_body(file, fields)
        if not body:
            fail("give a FIELD=VALUE (or --file) to change")

        async def work(client: Client) -> Any:
            ident = await resolve(client, spec, ref)
            return await client.send_json("PATCH", f"{spec.path}/{ident}", body)

        done(call(target(url, key, account, timeout), work), spec, "changed", json_output)

    edit.__doc__ = f"Change fields of a {spec.noun}; the others stay."
    _add_action(app, spec, "rm", "DELETE", "", "deleted")
    if spec.pausable:
        _add_action(app, spec, "pause", "POST", "/pause", "paused")
        _add_action(app, spec, "resume", "POST", "/resume", "resumed")


def resource_app(
    spec: ResourceSpec, help: str, add: Callable[[typer.Typer], None] | None = None
) -> typer.Typer:
    """The command set of one resource; `add` registers a resource's own `add`."""
    app = typer.Typer(help=help, no_args_is_help=True)
    _add_list(app, spec)
    if add is not None:
        add(app)
    _add_writes(app, spec, with_add=add is None)
    return app
