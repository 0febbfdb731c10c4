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

from watchwire.store.database import Connection
from watchwire.store.tables_contacts import contacts
from watchwire.store.tables_webhooks import webhook_subscriptions

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


@dataclass(frozen=True, slots=True)
class FailingEndpoint:
    """One line of the delivery summary: an endpoint and its run of failures."""

    type: Literal["webhook", "contact"]
    sid: str
    name: str
    active: bool
    failing: Failing


# The summary names at most this many; the lists (`?state=failing`) page through all.
SUMMARY_LIMIT = 100


async def failing_endpoints(conn: Connection, account_sid: str) -> list[FailingEndpoint]:
    """The account's failing webhooks and contacts, the longest-failing first."""
    found: list[FailingEndpoint] = []
    kinds: tuple[tuple[Literal["webhook", "contact"], sa.Table], ...] = (
        ("webhook", webhook_subscriptions),
        ("contact", contacts),
    )
    for kind, table in kinds:
        rows = (
            await conn.execute(
                sa.select(table)
                .where(table.c.account_sid == account_sid, table.c.consecutive_failures > 0)
                .order_by(table.c.failing_since, table.c.sid)
                .limit(SUMMARY_LIMIT)
            )
        ).all()
        for row in rows:
            active = bool(row.is_active) if kind == "webhook" else row.status == "active"
            run = failing_of(row)
            assert run is not None  # selected for consecutive_failures > 0
            found.append(FailingEndpoint(kind, row.sid, row.name, active, run))
    found.sort(key=lambda e: (e.failing.since is None, e.failing.since or 0, e.sid))
    return found[:SUMMARY_LIMIT]
