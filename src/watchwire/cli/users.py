"""`watchwire user`: the people who sign in to the dashboard (services/users.py), managed
on the database directly like accounts and keys."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from watchwire.cli._common import console, print_json
from watchwire.cli.admin import AccountOption, JsonOption, with_runtime
from watchwire.clock import isoformat
from watchwire.runtime import Runtime
from watchwire.services.users import CreatedUser, User

user_app = typer.Typer(
    help="Dashboard users (sign-in with email and password).", no_args_is_help=True
)


def user_json(user: User) -> dict[str, Any]:
    return {
        "sid": user.sid,
        "account_sid": user.account_sid,
        "email": user.email,
        "role": user.role,
        "created_at": isoformat(user.created_at),
        "last_login_at": isoformat(user.last_login_at) if user.last_login_at else None,
    }


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's email, what they sign in with.")],
    account: AccountOption,
    role: Annotated[str, typer.Option(help="owner, editor or viewer.")] = "viewer",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else one is made up)."
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Add a dashboard user to an account; a made-up password is printed once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None

    async def work(runtime: Runtime) -> CreatedUser:
        await runtime.accounts.get_account(account)  # a clear 404 for a wrong SID
        return await runtime.users.create_user(account, email, role, password)

    created = with_runtime(work)
    shown = created.password if created.generated else None
    if json_output:
        print_json(user_json(created.user) | {"password": shown})
        return
    console.print(f"user [bold]{created.user.sid}[/] ({created.user.email}, {role}) added")
    if shown is not None:
        console.print(f"password (shown once): [bold]{shown}[/]", highlight=False)


@user_app.command("list")
def user_list(account: AccountOption, json_output: JsonOption = False) -> None:
    """List an account's dashboard users."""
    users = with_runtime(lambda runtime: runtime.users.list_users(account))
    if json_output:
        print_json([user_json(u) for u in users])
        return
    table = Table("SID", "email", "role", "created", "last sign-in")
    for user in users:
        last = isoformat(user.last_login_at) if user.last_login_at else "never"
        table.add_row(user.sid, user.email, user.role, isoformat(user.created_at), last)
    console.print(table)
