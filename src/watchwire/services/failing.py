"""The `failing` view of an endpoint (a webhook subscription or a contact): its run of
consecutive failed deliveries, when it began and the last error. Its deliveries may all
still be `retrying` (`deliveries?status=failed` stays empty for days); this is where a
person sees the endpoint is broken. The delivery worker keeps the counts
(delivery/outcomes.py); a delivered attempt ends the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

# `state` filters of the endpoint lists: `failing` has a run of failures going (disabled
# webhooks included: they stopped at the end of one), `disabled` is a webhook turned off,
# `active` one that is on.
EndpointState = Literal["active", "failing", "disabled"]


@dataclass(frozen=True, slots=True)
class Failing:
    consecutive_failures: int
    since: datetime | None
    last_error: str | None


def failing_of(row: Any) -> Failing | None:
    """The run of failures of an endpoint row; None when its last delivery succeeded."""
    if not row.consecutive_failures:
        return None
    return Failing(int(row.consecutive_failures), row.failing_since, row.last_failure)


def state_filter(table: sa.Table, state: EndpointState | None) -> Any:
    """The WHERE clause of a `state` filter on `table` (true when there is none)."""
    if state == "failing":
        return table.c.consecutive_failures > 0
    if state is not None and "is_active" in table.c:
        return table.c.is_active.is_(state == "active")
    return sa.true()
