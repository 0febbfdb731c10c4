"""Finished checks gathered into batches for one write each (runner.py, location_engine.py)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TypeVar

T = TypeVar("T")


async def take_batch(queue: asyncio.Queue[T], size: int, wait: float) -> list[T]:
    """Up to `size` items of `queue`, or fewer once `wait` seconds have passed: a batch is
    written when it is full or when waiting longer would only delay what it holds."""
    batch: list[T] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(wait):
            while len(batch) < size:
                batch.append(await queue.get())
    return batch
