"""`heartbeat` monitors: told by pings (cron jobs, scripts) instead of probing.

No probe runs. The ping face writes each ping on the monitor's own columns (`last_ping_*`,
`ping_started_at`, `ping_anchor_at`) and makes the monitor due at once; the engine claims
it like any other and, when it writes the result, reads the row as it is then:

    the wait began at `ping_anchor_at` (creation, resume, or the last success/failure ping)
    deadline = anchor + interval (the job's period) + grace

    the anchor is a ping, deadline not passed   success ping: up (the run time from its
                                                /start is the response time); /fail: down
    deadline passed                             missed: down, "no ping within …"; looked at
                                                again every period while no ping comes
    no ping since the anchor, deadline ahead    nothing to judge yet (reschedule only)

The deadline check runs in the engine's claim (the monitor's `next_run_at` is the deadline),
so with several workers exactly one of them calls a ping missed, and a frozen clock drives
it in tests. It reads only the monitor's columns, never the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from watchwire.clock import as_utc, isoformat
from watchwire.engine.kinds.base import CheckResult, MonitorKind, RowReading

DEFAULT_GRACE = 60


class Options(BaseModel):
    """A heartbeat's options: how late a ping may be after its period."""

    model_config = ConfigDict(extra="forbid")

    grace: int = Field(
        default=DEFAULT_GRACE,
        ge=0,
        le=7 * 86_400,
        description="seconds a ping may come after its period before the monitor is down",
    )


def grace_of(options: dict[str, Any]) -> int:
    return Options.model_validate(options).grace


def window(row: Any) -> timedelta:
    """How long after the anchor a ping may come: the period and the grace."""
    return timedelta(seconds=row.interval_seconds + grace_of(row.options))


def anchor_of(row: Any) -> datetime:
    """When the current wait for a ping began."""
    anchor: datetime = as_utc(row.ping_anchor_at) or as_utc(row.created_at)
    return anchor


def read_row(row: Any, now: datetime) -> RowReading:
    """The verdict on a heartbeat monitor at `now` (see the module docstring)."""
    anchor = anchor_of(row)
    due = anchor + window(row)
    last = as_utc(row.last_ping_at)
    if now >= due:
        grace = grace_of(row.options)
        since = f"last ping {isoformat(last)}" if last else f"waiting since {isoformat(anchor)}"
        error = f"no ping within {row.interval_seconds} s + {grace} s grace ({since})"
        missed = {"ping": "missed", "last_ping_at": isoformat(last) if last else None}
        return RowReading(
            CheckResult(False, None, error, details=missed),
            now + timedelta(seconds=row.interval_seconds),
        )
    if last is None or last < anchor:
        return RowReading(None, due)
    ok = row.last_ping_kind == "success"
    details: dict[str, Any] = {"ping": row.last_ping_kind, "ping_at": isoformat(last)}
    if row.last_ping_ms is not None:
        details["run_ms"] = row.last_ping_ms
    failed = None if ok else "the job reported failure (/fail ping)"
    return RowReading(CheckResult(ok, row.last_ping_ms, failed, details=details), due)


KIND = MonitorKind(
    name="heartbeat",
    probe=None,
    options=Options,
    read_row=read_row,
    monitor_timeout=False,
    takes_target=False,
    single_confirmation=True,
)
