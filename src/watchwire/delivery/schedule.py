"""The retry schedule: 25 attempts over about three days (updown's promise, 001).

The wait after failed attempt n is 15 s · 2^(n-1), capped at 5 hours, times a random factor
in [0.8, 1.2] so that receivers recovering from an outage are not hit by every retry at the
same second. Without jitter the 24 waits add up to 73.5 hours. A receiver's `Retry-After`
(on 429 and 503) replaces the computed wait, within [1 s, 24 h].
"""

from __future__ import annotations

import random

BASE_SECONDS = 15.0
CAP_SECONDS = 5 * 3600.0
JITTER = 0.2
RETRY_AFTER_MAX = 24 * 3600.0


def base_delay(failed_attempts: int) -> float:
    """The wait before the next try after `failed_attempts` (≥ 1) failures, without jitter."""
    return min(CAP_SECONDS, BASE_SECONDS * 2.0 ** (failed_attempts - 1))


def retry_delay(
    failed_attempts: int, retry_after: float | None = None, rng: random.Random | None = None
) -> float:
    """Seconds to wait before the next attempt."""
    if retry_after is not None:
        return min(RETRY_AFTER_MAX, max(1.0, retry_after))
    factor = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return base_delay(failed_attempts) * factor
