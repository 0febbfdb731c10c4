"""The `watchwire` command: serve, api, worker, db, backup, account, key, check; the API's
resources (monitors, webhooks, contacts, status-pages, events) and config as code (apply,
export, schema).

Every command that prints data takes --json; errors are one line and a non-zero exit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from watchwire.cli.admin import account_app, db_app, key_app
from watchwire.cli.agent import agent
from watchwire.cli.apply import apply, export, schema
from watchwire.cli.apps import contacts_app, monitors_app, status_pages_app, webhooks_app
from watchwire.cli.backup import backup
from watchwire.cli.check import check_app
from watchwire.cli.events import events_app
from watchwire.cli.geo import geo_app
from watchwire.cli.locations import location_app
from watchwire.cli.rdap import rdap_app
from watchwire.cli.serve import api, serve
from watchwire.cli.worker import worker
from watchwire.config import CONFIG_VARIABLE

app = typer.Typer(
    name="watchwire",
    help="Self-hosted monitoring of sites, ports, DNS, TLS certificates and blocklists.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve)
app.command("api")(api)
app.command("worker")(worker)
app.command("agent")(agent)
app.add_typer(db_app, name="db")
app.command("backup")(backup)
app.add_typer(account_app, name="account")
app.add_typer(key_app, name="key")
app.add_typer(location_app, name="location")
app.add_typer(check_app, name="check")
app.add_typer(geo_app, name="geo")
app.add_typer(rdap_app, name="rdap")
app.add_typer(monitors_app, name="monitors")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(contacts_app, name="contacts")
app.add_typer(status_pages_app, name="status-pages")
app.add_typer(events_app, name="events")
app.command("apply")(apply)
app.command("export")(export)
app.command("schema")(schema)


def _print_version(value: bool) -> None:
    # Eager: it runs while the options are parsed, so `watchwire --version` needs no command.
    if value:
        from watchwire import __version__

        typer.echo(f"watchwire {__version__}")
        raise typer.Exit()


def _use_config(value: Path | None) -> Path | None:
    # Every command reads its settings through WATCHWIRE_CONFIG, so `--config` is the same
    # file for `serve` and for `account create`.
    if value is not None:
        os.environ[CONFIG_VARIABLE] = str(value)
    return value


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="TOML settings file (sets WATCHWIRE_CONFIG).",
            callback=_use_config,
            is_eager=True,
        ),
    ] = None,
) -> None:
    """Self-hosted monitoring of sites, ports, DNS, TLS certificates and blocklists."""


def main() -> None:
    app()
