"""What every CLI command shares: the consoles, JSON output, one-line errors, running a
coroutine under uvloop with a spinner."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

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
