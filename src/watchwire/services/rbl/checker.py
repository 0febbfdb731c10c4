"""Running blocklist checks: scheduled host checks and manual checks (003's "Check").

    1. A due host (by its profile's frequency, 1_hour … 2_weeks) or a pending manual check
       is claimed with a lease (engine/jobs.py, engine/leases.py).
    2. `rbl.host.check.started` is recorded, then every list of the host's profile is asked
       through the operator's resolver (lookup.py: the rbl probe, one c-ares channel per
       check).
    3. In one transaction: the new listing state (engine/evaluate_rbl.py), its events, the
       lease's completion, and — for a manual check — the check's result and the outbox row
       of its callback. A lost lease rolls all of it back.

Every check ends with `rbl.host.check.completed`, and a manual check with its callback, also
when it could not run (no resolver) or no list answered: the event then carries `error`, and
the state of the host stays as it was.

Manual checks are rows written by the API and run here, so a restart loses none. A manual
check of one of the account's hosts is that host's check (its state and events follow); a
one-off address or domain changes nothing and tells only its callback.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock, as_utc
from watchwire.engine import leases
from watchwire.engine.evaluate_rbl import COMPLETED, Evaluation, evaluate
from watchwire.errors import ProbeError
from watchwire.events import outbox
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.ids import new_sid
from watchwire.probes.base import ProbeContext
from watchwire.services.rbl.announce import (
    describe,
    failed_description,
    label_of,
    one_off_event,
    result_payload,
)
from watchwire.services.rbl.lookup import ListLookup, Lookup
from watchwire.services.rbl.model import host_json
from watchwire.services.rbl.plans import PlanCache, default_profile
from watchwire.store import aliases
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import rbl_checks, rbl_hosts
from watchwire.store.tables_webhooks import deliveries

log = logging.getLogger(__name__)


def next_run(due: datetime, now: datetime, interval: int) -> datetime:
    """One interval after the previous due time, so checks keep their grid; when that is
    already past (the engine was stopped), soon, spread so a backlog does not come at once."""
    following = due + timedelta(seconds=interval)
    if following > now:
        return following
    return now + timedelta(seconds=random.uniform(1, min(interval / 10, 60)))


def no_answer(found: Lookup) -> str | None:
    """The error of a check in which lists were asked and none gave a usable answer."""
    summary = found.summary()
    if summary["total_count"] and not summary["checked_count"]:
        return f"none of the {summary['total_count']} blocklists asked gave an answer"
    return None


@dataclass(frozen=True, slots=True)
class ManualCheck:
    """A claimed manual check row and its lease owner: finished in the host's transaction."""

    row: Any
    owner: str


class RblChecker:
    """The blocklist checks of one process, with what they keep between checks: the lists'
    self-test verdicts (lookup.py) and the profiles' plans (plans.py). Built once per
    runtime by the service, which forgets an account's plans when its lists change."""

    def __init__(self, db: Database, clock: Clock, probe_ctx: ProbeContext) -> None:
        self.db = db
        self.clock = clock
        self.lists = ListLookup(probe_ctx)
        self.plans = PlanCache()

    def forget(self, account_sid: str) -> None:
        """The account's sources or profiles changed: its next check reads them afresh."""
        self.plans.forget(account_sid)

    async def check_host(
        self, host: Any, *, check_sid: str, owner: str | None, manual: ManualCheck | None = None
    ) -> None:
        """Check one host and write its new state and events. With `owner` the host's lease
        is completed and it is rescheduled; a manual check (`owner` None) leaves its
        schedule. LeaseLost when another worker took the host or the check meanwhile."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            await record_event(
                conn,
                account_sid=host.account_sid,
                type="rbl.host.check.started",
                description=f"Blocklist check of {host.host} started.",
                payload={"check_sid": check_sid, "host": host_json(host, now)},
                now=now,
                resource_type="rbl_host",
                resource_sid=host.sid,
            )
            plan = await self.plans.plan(conn, host.account_sid, host.profile_sid)
        try:
            found = await self.lists.lookup(host.host, host.target_type, plan.sources)
        except ProbeError as exc:
            await self._host_failed(host, check_sid, owner, manual, exc.message, plan.interval)
            return
        evaluation = evaluate(host.listings or {}, found.answers)
        summary = found.summary(evaluation)
        error = no_answer(found)
        async with self.db.transaction() as conn:
            now = self.clock.now()
            row = await _write_host(conn, host, owner, evaluation, now, plan.interval)
            shown = host_json(row, now)
            completed = None
            for kind in evaluation.events:
                event = await record_event(
                    conn,
                    account_sid=host.account_sid,
                    type=kind,
                    description=describe(shown, evaluation, kind, error),
                    payload=result_payload(
                        check_sid,
                        shown,
                        list(evaluation.listings.values()),
                        error if kind == COMPLETED else None,
                    ),
                    now=now,
                    resource_type="rbl_host",
                    resource_sid=host.sid,
                    contact_groups=list(host.contact_groups)
                    if kind != COMPLETED and evaluation.notify
                    else [],
                )
                completed = completed or event
            if manual is not None:
                await _finish_check(conn, manual, now, completed, result=summary, error=error)

    async def _host_failed(
        self,
        host: Any,
        check_sid: str,
        owner: str | None,
        manual: ManualCheck | None,
        error: str,
        interval: int,
    ) -> None:
        """The check could not run (no resolver): the state stays, the host is tried again
        at its next time, and the check ends like any other, with its error."""
        log.warning("rbl host %s: %s", host.sid, error)
        now = self.clock.now()
        async with self.db.transaction() as conn:
            if owner is not None and not await leases.complete(
                conn, rbl_hosts, host.sid, owner, now + timedelta(seconds=interval)
            ):
                raise leases.LeaseLost
            shown = host_json(host, now)
            completed = await record_event(
                conn,
                account_sid=host.account_sid,
                type=COMPLETED,
                description=failed_description(label_of(shown), error),
                payload=result_payload(check_sid, shown, shown["listed_details"], error),
                now=now,
                resource_type="rbl_host",
                resource_sid=host.sid,
            )
            if manual is not None:
                await _finish_check(conn, manual, now, completed, error=error)

    async def run_manual(self, row: Any, owner: str) -> None:
        """Run one claimed manual check (the `rbl_checks` job)."""
        manual = ManualCheck(row, owner)
        async with self.db.transaction() as conn:
            await conn.execute(
                rbl_checks.update()
                .where(rbl_checks.c.sid == row.sid, rbl_checks.c.lease_owner == owner)
                .values(status="running")
            )
            host = None
            if row.host_sid is not None:
                host = (
                    await conn.execute(sa.select(rbl_hosts).where(rbl_hosts.c.sid == row.host_sid))
                ).first()
        if host is not None:
            await self.check_host(host, check_sid=row.sid, owner=None, manual=manual)
            return
        async with self.db.connect() as conn:
            profile = await default_profile(conn, row.account_sid)
            plan = await self.plans.plan(conn, row.account_sid, profile)
        summary: dict[str, Any] | None = None
        try:
            found = await self.lists.lookup(row.host, row.target_type, plan.sources)
            summary, error = found.summary(), no_answer(found)
        except ProbeError as exc:
            error = exc.message
        async with self.db.transaction() as conn:
            now = self.clock.now()
            event = (
                await one_off_event(conn, row, now, summary, error) if row.callback_url else None
            )
            await _finish_check(conn, manual, now, event, result=summary, error=error)


async def _write_host(
    conn: Connection,
    host: Any,
    owner: str | None,
    evaluation: Evaluation,
    now: datetime,
    interval: int,
) -> Any:
    first = as_utc(host.first_listed)
    if not evaluation.listed:
        first = None
    elif first is None or not host.listings:
        first = now
    values = {
        "listings": evaluation.listings,
        "listed_count": len(evaluation.listings),
        "first_listed": first,
        "last_checked": now,
        "updated_at": now,
    }
    if owner is not None:
        due = as_utc(host.next_run_at) or now
        if not await leases.complete(
            conn, rbl_hosts, host.sid, owner, next_run(due, now, interval), **values
        ):
            raise leases.LeaseLost
    else:
        updated = await conn.execute(
            rbl_hosts.update().where(rbl_hosts.c.sid == host.sid).values(values)
        )
        if not updated.rowcount:
            raise leases.LeaseLost  # the host was deleted meanwhile
    return (await conn.execute(sa.select(rbl_hosts).where(rbl_hosts.c.sid == host.sid))).one()


async def _finish_check(
    conn: Connection,
    manual: ManualCheck,
    now: datetime,
    completed: Event | None,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Store a manual check's ending (its result, its error, or both) and queue its callback,
    in the check's transaction."""
    values: dict[str, Any] = {"paused": True, "status": "completed", "completed_at": now}
    if result is not None:  # a JSON column: None would be stored as JSON null, not NULL
        values["result"] = result
    if error is not None:
        values["error"] = error
    if not await leases.complete(conn, rbl_checks, manual.row.sid, manual.owner, now, **values):
        raise leases.LeaseLost
    if manual.row.callback_url and completed is not None:
        # The callback is one more recipient of the completed event, signed with the
        # check's own secret (delivery/callbacks.py).
        row = outbox.delivery_row(completed, "callback", manual.row.sid)
        await conn.execute(deliveries.insert().values(row))
        await aliases.assign(conn, [row["sid"]])


# A claim outlives one check: every list answers (or times out) within the lookup timeout,
# twice over for the started event and the write.
LEASE_SECONDS = 120.0


class RblHostJob:
    """The scheduled check of blocklist hosts (engine/jobs.py's `Job`)."""

    name = "rbl_hosts"
    table = rbl_hosts
    lease_seconds = LEASE_SECONDS
    concurrency = 50

    def __init__(self, checker: RblChecker) -> None:
        self.checker = checker

    async def run(self, row: Any, owner: str) -> None:
        await self.checker.check_host(row, check_sid=new_sid("rbl_check"), owner=owner)


class RblCheckJob:
    """The job that runs pending manual checks (engine/jobs.py's `Job`)."""

    name = "rbl_checks"
    table = rbl_checks
    lease_seconds = LEASE_SECONDS
    concurrency = 20

    def __init__(self, checker: RblChecker) -> None:
        self.checker = checker

    async def run(self, row: Any, owner: str) -> None:
        await self.checker.run_manual(row, owner)
