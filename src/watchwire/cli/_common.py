"""What every CLI command shares: the consoles, JSON output, one-line errors, running a
coroutine under uvloop with a spinner."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pydantic
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape

from watchwire.config import Settings, SettingsProblem, load_settings, setting_source
from watchwire.errors import WatchwireError
from watchwire.probes import target_check

T = TypeVar("T")

console = Console()
error_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line and exit non-zero."""
    # Escaped: a message quotes input (`monitors[site]`), never markup.
    error_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_fail(**overrides: Any) -> Settings:
    """The settings every command reads (`serve`'s too); a wrong one is one error line."""
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsProblem as exc:
        fail(exc.message)


def sqlite_file(settings: Settings) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL or an in-memory one)."""
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve()


def describe_database(settings: Settings) -> str:
    """`database: …` as a person checks it against the server's: the absolute SQLite path or
    the PostgreSQL URL without its password, and which setting chose it."""
    file = sqlite_file(settings)
    if file is not None:
        shown = f"SQLite {file}"
    else:
        url = sa.engine.make_url(settings.database_url)
        shown = url.render_as_string(hide_password=True)
    return f"database: {shown} (from {setting_source('database_url')})"


def target_or_fail(probe_kind: str, target: str) -> str:
    """The target by its kind's syntax rule (the API's too); a malformed one is one error
    line and exit 1, before any lookup."""
    try:
        return target_check(probe_kind)(target)
    except ValueError as exc:
        fail(f"target: {exc}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def run(factory: Callable[[], Awaitable[T]], spinner: str | None = None) -> T:
    """Run a coroutine on uvloop; show a spinner on a terminal; turn WatchwireError into one
    error line."""

    async def main() -> T:
        if spinner and console.is_terminal:
            with console.status(spinner):
                return await factory()
        return await factory()

    try:
        import uvloop

        return uvloop.run(main())
    except WatchwireError as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        fail("interrupted", 130)


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine with the default loop (for code that must not depend on uvloop)."""
    return asyncio.run(factory())  # type: ignore[arg-type]


EXIT_DOWN = 2  # the target answered badly (down, listed, bad certificate); 1 is for errors


def options_or_fail(build: Callable[[], T]) -> T:
    """Build a probe's options from command-line values; a rule broken is one error line."""
    try:
        return build()
    except pydantic.ValidationError as exc:
        fail(
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in exc.errors()
            )
        )
    except ValueError as exc:
        fail(str(exc))


def report(result: Any, *, as_json: bool, render: Callable[[Any], None]) -> NoReturn:
    """Print a probe result (JSON for scripts, `render` for people) and exit: 0 when the
    outcome is up, EXIT_DOWN otherwise."""
    if as_json:
        print_json(result.to_json())
    else:
        render(result)
    raise typer.Exit(0 if result.outcome == "up" else EXIT_DOWN)


def validate_options(model: type[pydantic.BaseModel], values: dict[str, Any]) -> Any:
    """A probe's options from command-line values; options left unset take the defaults."""
    return options_or_fail(
        lambda: model.model_validate({k: v for k, v in values.items() if v is not None})
    )
