"""What `/metrics` reads from the database when it is scraped: how much work is due in each
queue, how many deliveries wait, when each agent was last heard from, and each
monitor's last reading (decision 0034).

These are the same whichever process is asked, so they are read, not counted: a handful of
set-based queries per scrape (one count per queue, one grouped count of deliveries, one
select of every monitor's few columns), run off the event loop on SQLite. Each process's
own counters are watchwire/telemetry.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection as SyncConnection

from watchwire.clock import Clock, as_utc
from watchwire.store.database import Database
from watchwire.store.tables_certs import cert_monitors
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_locations import agent_instances
from watchwire.store.tables_webhooks import deliveries

# Deliveries still to be made, by status (delivered, failed and dead ones are history).
WAITING = ("pending", "retrying")


@dataclass(frozen=True, slots=True)
class MonitorReading:
    """One monitor as its gauges show it. `up` is None until a first check and while
    paused; `certificate_expires_at` is the served certificate's end (https, tcps, ssl)."""

    sid: str
    account_sid: str
    name: str
    kind: str
    target: str
    up: bool | None
    last_duration_ms: float | None
    last_checked_at: datetime | None
    certificate_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    taken_at: datetime
    # Rows due now and not leased, by queue: monitors, deliveries and each job's table.
    due: dict[str, int]
    waiting_deliveries: dict[str, int]
    monitors: list[MonitorReading]
    # Each agent instance (location, instance) and when it was last heard from.
    agents: list[tuple[str, str, datetime, bool]] = field(default_factory=list)


def _expiry(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:  # written by an older release in another shape: no gauge, no error
        return None


def _due_count(table: sa.Table, now: datetime) -> sa.Select[Any]:
    """The leases' notion of due (engine/leases.py): unpaused, past next_run_at, unleased."""
    return sa.select(sa.func.count()).where(
        table.c.paused.is_(False),
        table.c.next_run_at <= now,
        sa.or_(table.c.lease_expires_at.is_(None), table.c.lease_expires_at <= now),
    )


_DELIVERIES_DUE = sa.select(sa.func.count()).where(
    deliveries.c.status.in_(WAITING),
    deliveries.c.next_attempt_at <= sa.bindparam("now"),
    sa.or_(
        deliveries.c.lease_expires_at.is_(None),
        deliveries.c.lease_expires_at <= sa.bindparam("now"),
    ),
)
_WAITING = (
    sa.select(deliveries.c.status, sa.func.count())
    .where(deliveries.c.status.in_(WAITING))
    .group_by(deliveries.c.status)
)
_MONITORS = sa.select(
    monitors.c.sid,
    monitors.c.account_sid,
    monitors.c.name,
    monitors.c.kind,
    monitors.c.target,
    monitors.c.state,
    monitors.c.paused,
    monitors.c.last_response_ms,
    monitors.c.last_checked_at,
    monitors.c.ssl_not_after,
).order_by(monitors.c.sid)
# Certificate monitors are monitors too, to Prometheus: their expiry is the gauge people
# alert on; up is whether the last check reached the certificate (the tls probe said up).
_CERT_MONITORS = sa.select(
    cert_monitors.c.sid,
    cert_monitors.c.account_sid,
    cert_monitors.c.name,
    cert_monitors.c.hostname,
    cert_monitors.c.port,
    cert_monitors.c.paused,
    cert_monitors.c.last_outcome,
    cert_monitors.c.last_checked_at,
    cert_monitors.c.not_after,
).order_by(cert_monitors.c.sid)


def _readings(conn: SyncConnection) -> list[MonitorReading]:
    found = [
        MonitorReading(
            sid,
            account,
            name,
            kind,
            target,
            None if paused or state == "pending" else state != "down",
            duration,
            as_utc(checked),
            _expiry(not_after),
        )
        for sid, account, name, kind, target, state, paused, duration, checked, not_after in (
            conn.execute(_MONITORS)
        )
    ]
    found.extend(
        MonitorReading(
            sid,
            account,
            name,
            "certificate",
            f"{host}:{port}" if port else host,
            None if paused or outcome is None else outcome == "up",
            None,
            as_utc(checked),
            _expiry(not_after),
        )
        for sid, account, name, host, port, paused, outcome, checked, not_after in (
            conn.execute(_CERT_MONITORS)
        )
    )
    return found


_AGENTS = sa.select(
    agent_instances.c.location,
    agent_instances.c.instance,
    agent_instances.c.last_seen_at,
    agent_instances.c.timed_out,
).order_by(agent_instances.c.location, agent_instances.c.instance)


class MetricsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def snapshot(
        self, queues: Sequence[tuple[str, sa.Table]], *, with_monitors: bool = True
    ) -> MetricsSnapshot:
        """The database's part of `/metrics`; `queues` are the jobs' tables by job name
        (Runtime.jobs), counted besides monitors and deliveries."""
        now = self.clock.now()

        def read(conn: SyncConnection) -> MetricsSnapshot:
            due = {"monitors": int(conn.execute(_due_count(monitors, now)).scalar_one())}
            due["deliveries"] = int(conn.execute(_DELIVERIES_DUE, {"now": now}).scalar_one())
            for name, table in queues:
                due[name] = int(conn.execute(_due_count(table, now)).scalar_one())
            waiting = dict.fromkeys(WAITING, 0)
            waiting.update({status: int(n) for status, n in conn.execute(_WAITING)})
            readings = _readings(conn) if with_monitors else []
            agents = [
                (row.location, row.instance, as_utc(row.last_seen_at), bool(row.timed_out))
                for row in conn.execute(_AGENTS)
            ]
            return MetricsSnapshot(now, due, waiting, readings, agents)

        return await self.db.read_off_loop(read)
