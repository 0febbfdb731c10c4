"""Request budgets with the `limits` library: memory storage in one process, Redis when
several API processes must share the counters.

A budget is a list of windows; a request is admitted only when every window has room. The
state of the most restrictive window is what the headers report.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from watchwire.errors import RateLimitedError


@dataclass(frozen=True, slots=True)
class Window:
    item: RateLimitItem
    error_code: str
    message: str


@dataclass(frozen=True, slots=True)
class WindowState:
    limit: int
    seconds: int
    remaining: int
    reset_at: float  # Unix time


@dataclass(frozen=True, slots=True)
class BudgetState:
    windows: tuple[WindowState, ...]

    @property
    def tightest(self) -> WindowState:
        return min(self.windows, key=lambda w: (w.remaining, -w.reset_at))

    def headers(self) -> dict[str, str]:
        """X-RateLimit-* (first window, Enterno style) and the IETF RateLimit-* fields."""
        first, tight = self.windows[0], self.tightest
        now = time.time()
        return {
            "X-RateLimit-Limit": str(first.limit),
            "X-RateLimit-Remaining": str(first.remaining),
            "X-RateLimit-Reset": str(math.ceil(first.reset_at)),
            "RateLimit-Limit": ", ".join(f"{w.limit};w={w.seconds}" for w in self.windows),
            "RateLimit-Remaining": str(tight.remaining),
            "RateLimit-Reset": str(max(0, math.ceil(tight.reset_at - now))),
        }


@lru_cache(maxsize=64)
def minute_and_day(per_minute: int, per_day: int) -> tuple[Window, ...]:
    """The two windows of a plan (cached: plans are few, requests many)."""
    return (
        Window(RateLimitItemPerMinute(per_minute), "rate_limit_exceeded", "Rate limit exceeded"),
        Window(
            RateLimitItemPerDay(per_day), "daily_limit_exceeded", "Daily API request limit exceeded"
        ),
    )


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        if redis_url:
            # redis-py's asyncio client: the one Redis client the project already depends on.
            uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
            storage = storage_from_string(uri, implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        assert isinstance(storage, Storage)
        self.storage = storage
        self._strategy = FixedWindowRateLimiter(self.storage)

    async def state(self, identity: str, windows: Sequence[Window]) -> BudgetState:
        """The budget as it stands, without charging it."""
        states = []
        for window in windows:
            reset_at, remaining = await self._strategy.get_window_stats(window.item, identity)
            states.append(_window_state(window, remaining, reset_at))
        return BudgetState(tuple(states))

    async def hit(self, identity: str, windows: Sequence[Window]) -> BudgetState:
        """Charge one request to every window and return the budget after it. Raises
        RateLimitExceeded (carrying the state) when a window is spent; windows after the spent
        one are not charged."""
        states = []
        for index, window in enumerate(windows):
            key = window.item.key_for(identity)
            # The fixed-window strategy's hit is this incr; calling the storage directly
            # also gives the count, sparing a second read per window on every request.
            count = await self.storage.incr(key, window.item.get_expiry())
            reset_at = await self.storage.get_expiry(key)
            states.append(_window_state(window, window.item.amount - count, reset_at))
            if count > window.item.amount:
                rest = await self.state(identity, windows[index + 1 :])
                state = BudgetState((*states, *rest.windows))
                retry_after = max(1, math.ceil(reset_at - time.time()))
                raise RateLimitExceeded(
                    window.message, retry_after=retry_after, code=window.error_code, state=state
                )
        return BudgetState(tuple(states))


def _window_state(window: Window, remaining: int, reset_at: float) -> WindowState:
    return WindowState(
        limit=window.item.amount,
        seconds=window.item.get_expiry(),
        remaining=max(0, remaining),
        reset_at=reset_at,
    )


class RateLimitExceeded(RateLimitedError):
    def __init__(self, message: str, *, retry_after: int, code: str, state: BudgetState) -> None:
        super().__init__(message, retry_after=retry_after, code=code)
        self.state = state
