"""What every CLI command shares: the consoles, JSON output, one-line errors, running a
coroutine under uvloop with a spinner."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import pydantic
import typer
from rich.console import Console

from watchwire.errors import WatchwireError

T = TypeVar("T")

console = Console()
error_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line and exit non-zero."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


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
