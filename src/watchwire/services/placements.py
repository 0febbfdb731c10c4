"""Where each monitor runs: its chosen locations (None: every location in the registry) less
its `disabled_locations`, kept as `monitor_locations` rows (decision 0032).

A monitor whose only location is the server's own keeps running from its own schedule, as
before locations existed (`by_location` false, no rows): one location costs nothing. Any
other monitor gets one row per location, with that location's schedule, lease and verdict,
and `by_location` true, so the server's own engine leaves its own schedule alone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.engine.kinds import get_kind
from watchwire.errors import ValidationError
from watchwire.store.database import Connection
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_locations import locations, monitor_locations


def effective(
    chosen: Sequence[str] | None, disabled: Sequence[str], known: Sequence[str]
) -> list[str]:
    """The locations a monitor runs from, in the registry's order."""
    wanted = set(known if chosen is None else chosen) - set(disabled)
    return [code for code in known if code in wanted]


async def known_codes(conn: Connection) -> list[str]:
    return list(
        (await conn.execute(sa.select(locations.c.code).order_by(locations.c.code))).scalars()
    )


async def check_codes(
    conn: Connection, chosen: Sequence[str] | None, disabled: Sequence[str], own: str
) -> None:
    """Refuse codes that are not in the registry, and a choice that leaves no location."""
    known = await known_codes(conn) or [own]
    for field, codes in (("locations", chosen or []), ("disabled_locations", disabled)):
        for i, code in enumerate(codes):
            if code not in known:
                raise ValidationError.field(
                    f"{field}[{i}]", "unknown_location", f"there is no location {code!r}"
                )
    if not effective(chosen, disabled, known):
        raise ValidationError.field(
            "locations", "no_location", "the monitor would run from no location"
        )


async def replace(
    conn: Connection, own: str, now: datetime, sids: Sequence[str] | None = None
) -> None:
    """Bring the placements of monitors `sids` (None: every monitor) in line with their
    choice and the registry, inside the caller's transaction. New placements come due
    within 10 s, spread at random; existing ones keep their schedule and verdict."""
    known = await known_codes(conn) or [own]
    query = sa.select(
        monitors.c.sid,
        monitors.c.kind,
        monitors.c.locations,
        monitors.c.disabled_locations,
        monitors.c.by_location,
    )
    if sids is not None:
        if not sids:
            return
        query = query.where(monitors.c.sid.in_(list(sids)))
    rows = (await conn.execute(query)).all()
    if not rows:
        return
    placed_query = sa.select(monitor_locations.c.monitor_sid, monitor_locations.c.location)
    if sids is not None:
        placed_query = placed_query.where(monitor_locations.c.monitor_sid.in_(list(sids)))
    placed: dict[str, set[str]] = {}
    for placed_row in (await conn.execute(placed_query)).all():
        placed.setdefault(placed_row.monitor_sid, set()).add(placed_row.location)
    inserts: list[dict[str, Any]] = []
    removals: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    for row in rows:
        wanted = effective(row.locations, row.disabled_locations or [], known)
        # A heartbeat is told by pings to the server: it runs nowhere.
        by_location = wanted != [own] and get_kind(row.kind).read_row is None
        target = set(wanted) if by_location else set()
        have = placed.get(row.sid, set())
        inserts.extend(_new_placement(row.sid, code, now) for code in sorted(target - have))
        removals.extend({"b_sid": row.sid, "b_code": code} for code in sorted(have - target))
        if by_location != row.by_location:
            flags.append({"b_sid": row.sid, "v_by_location": by_location})
    if inserts:
        await conn.execute(monitor_locations.insert(), inserts)
    if removals:
        await conn.execute(
            monitor_locations.delete().where(
                monitor_locations.c.monitor_sid == sa.bindparam("b_sid"),
                monitor_locations.c.location == sa.bindparam("b_code"),
            ),
            removals,
        )
    if flags:
        await conn.execute(
            monitors.update()
            .where(monitors.c.sid == sa.bindparam("b_sid"))
            .values(by_location=sa.bindparam("v_by_location")),
            flags,
        )


async def replace_all(conn: Connection, own: str, now: datetime) -> None:
    await replace(conn, own, now, None)


async def forget(conn: Connection, sid: str) -> None:
    """A deleted monitor's placements."""
    await conn.execute(monitor_locations.delete().where(monitor_locations.c.monitor_sid == sid))


def _new_placement(sid: str, code: str, now: datetime) -> dict[str, Any]:
    return {
        "monitor_sid": sid,
        "location": code,
        "next_run_at": now + timedelta(seconds=random.uniform(0, 10)),
        "lease_owner": None,
        "lease_expires_at": None,
        "state": "pending",
        "fail_streak": 0,
        "success_streak": 0,
        "failing_since": None,
        "last_checked_at": None,
        "last_error": None,
        "last_response_ms": None,
    }
