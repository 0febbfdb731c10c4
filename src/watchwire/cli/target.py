"""Which API a resource command talks to: `--url` and `--key` (or WATCHWIRE_URL and
WATCHWIRE_KEY) for a server, otherwise the local database of `serve`'s settings as
`--account` (WATCHWIRE_ACCOUNT) or `--key` (see cli/client.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from watchwire.cli._common import fail, run
from watchwire.cli.admin import with_runtime
from watchwire.cli.client import Client, Work, asgi_transport, remote_transport
from watchwire.runtime import Runtime

T = TypeVar("T")

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", envvar="WATCHWIRE_URL", help="A server's base URL; default: the local database."
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", envvar="WATCHWIRE_KEY", help="An API key (needed with --url)."),
]
AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account", envvar="WATCHWIRE_ACCOUNT", help="Local database: the account SID (AC…)."
    ),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.1, help="Seconds per request to a server.")
]


@dataclass(frozen=True)
class Target:
    url: str | None
    key: str | None
    account: str | None
    timeout: float = 30.0


def target(url: str | None, key: str | None, account: str | None, timeout: float = 30.0) -> Target:
    return Target(url or None, key or None, account or None, timeout)


def call(where: Target, work: Work[T]) -> T:
    """Run `work` with a client of the API `where` names; an error answer is one line."""
    if where.url:
        if not where.key:
            fail("--key (or WATCHWIRE_KEY) is needed with --url")
        opened = remote_transport(where.url, where.key, where.timeout)

        async def remote() -> T:
            async with opened() as send:
                return await work(Client(send))

        return run(remote)
    if not where.key and not where.account:
        fail(
            "which account? give --account AC… (or WATCHWIRE_ACCOUNT) for the local "
            "database, or --url and --key for a server"
        )

    async def local(runtime: Runtime) -> T:
        from watchwire.api.auth import OPERATOR_EXTENSION
        from watchwire.app import create_app

        extensions: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if where.key:
            headers["X-API-Key"] = where.key
        else:
            assert where.account is not None
            extensions[OPERATOR_EXTENSION] = await runtime.accounts.operator(where.account)
        app = create_app(runtime)
        return await work(Client(asgi_transport(app, extensions, headers)))

    return with_runtime(local)
