"""Operator commands that work on the database directly: db, account, key (and the Entri
dialect's token signing key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from watchwire.cli._common import (
    console,
    describe_database,
    error_console,
    fail,
    print_json,
    run,
    settings_or_fail,
    sqlite_file,
)
from watchwire.clock import isoformat
from watchwire.config import Settings
from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.services.accounts import ApiKey

T = TypeVar("T")

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
account_app = typer.Typer(help="Accounts.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AccountOption = Annotated[str, typer.Option("--account", help="Account SID (AC…).")]


def key_json(key: ApiKey) -> dict[str, Any]:
    """A key as `--json` prints it: the fields and names of the API's `/v1/keys`."""
    return {
        "sid": key.sid,
        "name": key.name,
        "scopes": list(key.scopes),
        "read_only": key.read_only,
        "ip_allowlist": list(key.ip_allowlist),
        "created_at": isoformat(key.created_at),
        "revoked_at": isoformat(key.revoked_at) if key.revoked_at else None,
        "status": key.status,
    }


def _existing_only(settings: Settings) -> None:
    """Refuse to start a new database or hashing key by accident: an account or a key made
    there would be one the running server never sees (its key answered with 401)."""
    file = sqlite_file(settings)
    hint = (
        "point WATCHWIRE_DATABASE_URL (or --config) at the server's, "
        "or run `watchwire db upgrade` to start a new one"
    )
    if file is not None and not file.exists():
        fail(f"there is no database at {file}: {hint}")
    key_file = settings.secret_key_file.resolve()
    if not settings.secret_key and not key_file.exists():
        fail(f"there is no API-key hashing key at {key_file} (WATCHWIRE_SECRET_KEY_FILE): {hint}")


def with_runtime(work: Callable[[Runtime], Awaitable[T]], *, create: bool = False) -> T:
    """Run `work` on the database the settings name (serve's settings), telling on stderr
    which one; unless `create`, that database must exist already."""
    settings = settings_or_fail()
    error_console.print(describe_database(settings), highlight=False, soft_wrap=True)
    if not create:
        _existing_only(settings)

    async def main() -> T:
        runtime = Runtime.build(settings)
        try:
            return await work(runtime)
        finally:
            await runtime.close()

    return run(main)


@db_app.command("upgrade")
def db_upgrade(json_output: JsonOption = False) -> None:
    """Apply every pending migration."""

    async def work(runtime: Runtime) -> tuple[str | None, str | None]:
        from watchwire.store.migrate import upgrade_from

        return await upgrade_from(runtime.db)

    before, after = with_runtime(work, create=True)
    if json_output:
        print_json({"revision": after})
    else:
        from watchwire.store.migrate import describe_upgrade

        console.print(describe_upgrade(before, after), highlight=False)


@account_app.command("create")
def account_create(
    name: Annotated[str, typer.Argument(help="Account name.")],
    plan: Annotated[
        str, typer.Option(help="free, starter, pro, business or unlimited.")
    ] = "business",
    json_output: JsonOption = False,
) -> None:
    """Create an account and print its SID and a full-access key (shown once)."""

    async def work(runtime: Runtime) -> Any:
        await runtime.migrate()
        return await runtime.accounts.create_account(name, plan)

    created = with_runtime(work)
    data = {
        "account_sid": created.account_sid,
        "key_sid": created.sid,
        "secret": created.secret,
        "key": created.key,
    }
    if json_output:
        print_json(data)
        return
    console.print(f"account [bold]{created.account_sid}[/] created")
    console.print(f"API key (shown once): [bold]{created.key}[/]", soft_wrap=True)


@key_app.command("create")
def key_create(
    account: AccountOption,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope (repeat); default: all of the plan."),
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="GET requests only.")] = False,
    ip: Annotated[
        list[str] | None, typer.Option("--ip", help="Allowed address or CIDR (repeat).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Create an API key for an account (the secret is shown once)."""

    async def work(runtime: Runtime) -> Any:
        return await runtime.accounts.create_key(
            account, name=name, scopes=scope, read_only=read_only, ip_allowlist=ip or []
        )

    created, key = with_runtime(work)
    if json_output:
        print_json(key_json(key) | {"secret": created.secret, "key": created.key})
        return
    console.print(f"key [bold]{created.sid}[/] created; full key (shown once):")
    console.print(created.key, soft_wrap=True, highlight=False)


@key_app.command("list")
def key_list(account: AccountOption, json_output: JsonOption = False) -> None:
    """List an account's API keys."""

    async def work(runtime: Runtime) -> list[ApiKey]:
        keys: list[ApiKey] = []
        page = 1
        while True:
            result = await runtime.accounts.list_keys(account, PageRequest(page, 100))
            keys.extend(result.items)
            if page >= result.pages:
                return keys
            page += 1

    keys = with_runtime(work)
    if json_output:
        print_json([key_json(k) for k in keys])
        return
    table = Table("SID", "name", "scopes", "read-only", "IP allowlist", "status", "created")
    for key in keys:
        table.add_row(
            key.sid,
            key.name,
            ",".join(key.scopes),
            "yes" if key.read_only else "no",
            ",".join(key.ip_allowlist) or "any",
            key.status,
            isoformat(key.created_at),
        )
    console.print(table)


@key_app.command("revoke")
def key_revoke(
    sid: Annotated[str, typer.Argument(help="Key SID (AK…).")],
    account: AccountOption,
    json_output: JsonOption = False,
) -> None:
    """Revoke an API key; it stops working at once."""
    key = with_runtime(lambda runtime: runtime.accounts.revoke_key(account, sid))
    if json_output:
        print_json(key_json(key))
    else:
        console.print(f"key [bold]{sid}[/] revoked")


@key_app.command("rotate-token-key")
def key_rotate_token_key(
    grace: Annotated[
        int,
        typer.Option(
            help="Seconds the replaced key still verifies the tokens it signed (0: at once no "
            "more, after a leak).",
            min=0,
        ),
    ] = 3600,
    json_output: JsonOption = False,
) -> None:
    """Start a new key for the Entri dialect's access tokens (POST /token); running servers
    use it within 30 s (decision 0023)."""
    keys = with_runtime(lambda runtime: runtime.tokens.rotate(timedelta(seconds=grace)))
    shown = [
        {
            "kid": k.kid,
            "created_at": isoformat(k.created_at),
            "accepted_until": isoformat(k.accepted_until) if k.accepted_until else None,
        }
        for k in keys
    ]
    if json_output:
        print_json(shown)
        return
    console.print(f"token signing key [bold]{keys[0].kid}[/] now signs new tokens")
    for key in keys[1:]:
        until = isoformat(key.accepted_until) if key.accepted_until else "-"
        console.print(f"key {key.kid} verifies its tokens until {until}", highlight=False)
