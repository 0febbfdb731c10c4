"""Who a monitor's alerts go to and when they are held back: its `mute_until` and its
`recipients`, checked and stored by the monitor service; the outbox (events/outbox.py) and
the recorder (engine/recorder.py, engine/mute.py) apply them.

- `mute_until`: an ISO time (any format the time parser takes, stored as ISO 8601 UTC),
  `recovery` or `forever`; None unmutes. Unmuting announces the current state once when it
  differs from the one last announced, like a mute that ends by itself.
- `recipients`: contact, contact group and webhook subscription SIDs of the account; when
  set, they alone are told about the monitor. An unknown or another account's SID is a 400
  naming `recipients[i]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from watchwire.clock import isoformat
from watchwire.engine.mute import FOREVER, RECOVERY, to_announce
from watchwire.errors import ValidationError
from watchwire.events.monitor_snapshot import snapshot
from watchwire.events.store import record_event
from watchwire.ids import is_sid
from watchwire.store.database import Connection
from watchwire.store.tables_contacts import contact_groups, contacts
from watchwire.store.tables_webhooks import webhook_subscriptions
from watchwire.timeparse import parse_time

_TABLES = (
    ("contact", contacts),
    ("contact_group", contact_groups),
    ("webhook", webhook_subscriptions),
)
_STATE_EVENTS = {"up": "monitor.up", "down": "monitor.down", "degraded": "monitor.degraded"}


def stored_mute(value: str | None, now: datetime) -> str | None:
    """The mute as stored: `recovery`, `forever`, an ISO 8601 UTC time, or None."""
    if value is None:
        return None
    word = value.strip().lower()
    if word in (RECOVERY, FOREVER):
        return word
    until = parse_time(value, field="mute_until", now=now)
    if until <= now:
        raise ValidationError.field("mute_until", "future", "mute_until must be in the future")
    return isoformat(until)


async def owned_recipients(
    conn: Connection, account_sid: str, sids: Sequence[str] | None
) -> list[str] | None:
    """`sids` after checking each names a contact, contact group or webhook of the account."""
    if sids is None:
        return None
    found: set[str] = set()
    for kind, table in _TABLES:
        wanted = [sid for sid in sids if is_sid(kind, sid)]
        if wanted:
            query = sa.select(table.c.sid).where(
                table.c.account_sid == account_sid, table.c.sid.in_(wanted)
            )
            found.update((await conn.execute(query)).scalars())
    for index, sid in enumerate(sids):
        if sid not in found:
            raise ValidationError.field(
                f"recipients[{index}]", "not_found", f"no such contact, group or webhook: {sid}"
            )
    return list(sids)


async def announce_unmute(conn: Connection, row: Any, now: datetime) -> dict[str, Any]:
    """Called when a monitor is unmuted by hand: record the one event announcing its current
    state when that differs from the last announced; return the column values to store."""
    state = to_announce(row.state, row.announced_state)
    if state is None:
        return {}
    name = f"{row.name} ({row.kind} {row.target})"
    await record_event(
        conn,
        account_sid=row.account_sid,
        type=_STATE_EVENTS[state],
        description=f"{name} is {state} (announced as the mute ended).",
        payload={
            "monitor": {"sid": row.sid, "name": row.name, "kind": row.kind, "target": row.target},
            "previous_state": row.announced_state or "up",
            "state": state,
            "after_mute": True,
            "error": row.last_error,
            "snapshot": await snapshot(conn, row, now, {"v_mute_until": None}),
        },
        now=now,
        resource_type="monitor",
        resource_sid=row.sid,
        contact_groups=list(row.contact_groups),
        recipients=row.recipients,
    )
    return {"announced_state": state}
