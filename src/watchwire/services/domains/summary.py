"""An account's monitored domains at a glance (002's `/monitor/status`): how many, in which
state, how many records, the check interval and when checks last ran and run next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from watchwire.clock import as_utc
from watchwire.config import Settings
from watchwire.services.domains.queries import settings_of
from watchwire.store.database import Connection
from watchwire.store.tables_domains import domain_records, monitored_domains

STATES = ("pending", "ok", "missing", "error")


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """`states` counts the active (not paused) domains by the state of their last check."""

    total: int
    paused: int
    states: dict[str, int]
    records: int
    check_interval_seconds: int
    last_checked_at: datetime | None
    next_check_at: datetime | None

    @property
    def active(self) -> int:
        return self.total - self.paused


async def summary_of(conn: Connection, account_sid: str, defaults: Settings) -> DomainSummary:
    mine = monitored_domains.c.account_sid == account_sid
    rows = (
        await conn.execute(
            sa.select(
                monitored_domains.c.paused,
                monitored_domains.c.state,
                sa.func.count().label("n"),
            )
            .where(mine)
            .group_by(monitored_domains.c.paused, monitored_domains.c.state)
        )
    ).all()
    states = dict.fromkeys(STATES, 0)
    total = paused = 0
    for row in rows:
        count = int(row.n)
        total += count
        if row.paused:
            paused += count
        else:
            states[row.state] = states.get(row.state, 0) + count
    times = (
        await conn.execute(
            sa.select(
                sa.func.max(monitored_domains.c.last_checked_at).label("last"),
                sa.func.min(
                    sa.case(
                        (monitored_domains.c.paused.is_(False), monitored_domains.c.next_run_at)
                    )
                ).label("upcoming"),
            ).where(mine)
        )
    ).one()
    last, upcoming = times.last, times.upcoming
    records = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(domain_records.join(monitored_domains))
            .where(mine)
        )
    ).scalar_one()
    settings = await settings_of(conn, account_sid, defaults)
    return DomainSummary(
        total=total,
        paused=paused,
        states=states,
        records=int(records),
        check_interval_seconds=settings.check_interval_seconds,
        last_checked_at=as_utc(last),
        next_check_at=as_utc(upcoming),
    )
