"""Agent health: 003's `agent.timeout` when every instance of a location's agent has been
silent past the location's timeout, and `agent.timeout.resolve` when one checks in again.

It runs in every background process (serve, worker), as a check of the table, not a timer
per agent: any process may notice, and the `timed_out` flags written in the event's
transaction make sure only one tells. The events go, through the outbox, to every account
with monitors placed at the location: the accounts whose checks the silence affects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock, as_utc, isoformat_or_none
from watchwire.events.store import record_event
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_locations import agent_instances, locations, monitor_locations

log = logging.getLogger(__name__)

WATCH_SECONDS = 10.0


def _agent(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "city": row.city,
        "country": row.country,
        "country_code": row.country_code,
        "ipv4": row.ipv4,
        "ipv6": row.ipv6,
    }


def _instance(row: Any) -> dict[str, Any]:
    return {
        "instance": row.instance,
        "version": row.version,
        "first_seen_at": isoformat_or_none(as_utc(row.first_seen_at)),
        "last_seen_at": isoformat_or_none(as_utc(row.last_seen_at)),
    }


async def _accounts_at(conn: Connection, code: str) -> list[str]:
    query = (
        sa.select(monitors.c.account_sid)
        .join(monitor_locations, monitor_locations.c.monitor_sid == monitors.c.sid)
        .where(monitor_locations.c.location == code)
        .distinct()
        .order_by(monitors.c.account_sid)
    )
    return list((await conn.execute(query)).scalars())


async def _tell(conn: Connection, row: Any, type: str, instances: list[Any], now: datetime) -> int:
    what = "timed out" if type == "agent.timeout" else "checks in again"
    description = (
        f"The agent of location {row.code} ({row.name}) {what}: "
        f"{len(instances)} instance(s), timeout {row.timeout_minutes} min."
    )
    payload = {
        "agent": _agent(row),
        "instances": [_instance(i) for i in instances],
        "timeout_minutes": row.timeout_minutes,
    }
    accounts = await _accounts_at(conn, row.code)
    for account_sid in accounts:
        await record_event(
            conn,
            account_sid=account_sid,
            type=type,
            description=description,
            payload=payload,
            now=now,
            resource_type="location",
            resource_sid=row.code,
        )
    log.log(logging.WARNING if type == "agent.timeout" else logging.INFO, description)
    return len(accounts)


async def check_agents(db: Database, now: datetime) -> int:
    """One look at every location with an agent; the number of events recorded."""
    events = 0
    async with db.transaction() as conn:
        rows = (
            await conn.execute(sa.select(locations).where(locations.c.token_hash.is_not(None)))
        ).all()
        for row in rows:
            events += await _check_one(conn, row, now)
    return events


async def _check_one(conn: Connection, row: Any, now: datetime) -> int:
    instances = (
        await conn.execute(sa.select(agent_instances).where(agent_instances.c.location == row.code))
    ).all()
    cutoff = now - timedelta(minutes=row.timeout_minutes)
    alive = [i for i in instances if as_utc(i.last_seen_at) >= cutoff]
    if not row.timed_out:
        newly = [i for i in instances if as_utc(i.last_seen_at) < cutoff and not i.timed_out]
        if alive or not newly:
            return 0
        sent = await _tell(conn, row, "agent.timeout", newly, now)
        await conn.execute(
            agent_instances.update()
            .where(
                agent_instances.c.location == row.code,
                agent_instances.c.instance.in_([i.instance for i in newly]),
            )
            .values(timed_out=True)
        )
        await conn.execute(
            locations.update().where(locations.c.code == row.code).values(timed_out=True)
        )
        return sent
    if not alive:
        return 0
    sent = await _tell(conn, row, "agent.timeout.resolve", alive, now)
    await conn.execute(
        agent_instances.update()
        .where(agent_instances.c.location == row.code)
        .values(timed_out=False)
    )
    await conn.execute(
        locations.update().where(locations.c.code == row.code).values(timed_out=False)
    )
    return sent


async def watch_agents(
    db: Database, clock: Clock, stop: asyncio.Event, every: float = WATCH_SECONDS
) -> None:
    """Look every `every` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            await check_agents(db, clock.now())
        except Exception:
            log.exception("checking the agents failed; trying again")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(every):
                await stop.wait()
