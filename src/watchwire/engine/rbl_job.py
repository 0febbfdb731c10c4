"""The blocklist jobs: scheduled host checks and manual checks (003's "Check").

    1. A due host (by its profile's frequency, 1_hour … 2_weeks) or a pending manual check
       is claimed with a lease (engine/jobs.py, engine/leases.py).
    2. `rbl.host.check.started` is recorded, then every list of the host's profile is asked
       through the operator's resolver (the rbl probe, one c-ares channel per check).
    3. In one transaction: the new listing state (engine/evaluate_rbl.py), its events, the
       lease's completion, and — for a manual check — the check's result and the outbox row
       of its callback. A lost lease rolls all of it back.

Manual checks are rows written by the API and run here, so a restart loses none. A manual
check of one of the account's hosts is that host's check (its state and events follow); a
one-off address or domain changes nothing and tells only its callback.

The lists' RFC 5782 self-tests run once per list and resolver every `HEALTH_TTL` seconds, not
per host: a wildcarding list's "listed" and a dead list's "not listed" are not trusted.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from watchwire.clock import Clock, as_utc
from watchwire.engine import leases
from watchwire.engine.evaluate_rbl import Answer, Evaluation, evaluate
from watchwire.engine.jobs import Job
from watchwire.errors import ProbeError
from watchwire.events import outbox
from watchwire.events.store import Event, record_event
from watchwire.ids import new_sid
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl import rbl
from watchwire.services import rbl_model
from watchwire.services.rbl_model import DEFAULT_FREQUENCY, FREQUENCIES, Source
from watchwire.store.database import Connection, Database
from watchwire.store.tables import events
from watchwire.store.tables_rbl import rbl_checks, rbl_hosts, rbl_profiles
from watchwire.store.tables_webhooks import deliveries

log = logging.getLogger(__name__)

HEALTH_TTL = 900.0
# A claim outlives one check: every list answers (or times out) within the lookup timeout,
# twice over for the started event and the write.
LEASE_SECONDS = 120.0
_health: dict[tuple[Any, str], tuple[float, rbl.ListHealth]] = {}


class RblDeps(Protocol):
    """What a check needs: the Runtime has it, and so does the service (for check now)."""

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def probe_ctx(self) -> ProbeContext: ...


class LeaseLost(Exception):
    """Another worker took the row: discard this check's writes."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """One host's answers: every list's detail entry, and the verdicts for the evaluator."""

    entries: list[dict[str, Any]]
    answers: list[Answer]

    def summary(self, evaluation: Evaluation | None = None) -> dict[str, Any]:
        listed = (
            list(evaluation.listings.values())
            if evaluation is not None
            else [e for e in self.entries if e["listed"]]
        )
        return {
            "listed": bool(listed),
            "listed_count": len(listed),
            "checked_count": sum(e["status"] in ("listed", "not_listed") for e in self.entries),
            "total_count": len(self.entries),
            "listed_details": listed,
            "details": self.entries,
        }


def next_run(due: datetime, now: datetime, interval: int) -> datetime:
    """One interval after the previous due time, so checks keep their grid; when that is
    already past (the engine was stopped), soon, spread so a backlog does not come at once."""
    following = due + timedelta(seconds=interval)
    if following > now:
        return following
    return now + timedelta(seconds=random.uniform(1, min(interval / 10, 60)))


async def _list_health(ctx: ProbeContext, sources: list[Source]) -> dict[str, rbl.ListHealth]:
    """The self-test of each source (by SID), from the cache when it is fresh."""
    clock = time.monotonic()
    stale = [s for s in sources if _health.get((ctx.resolver, s.sid), (0.0,))[0] <= clock]
    if stale:
        if len(_health) > 10_000:
            _health.clear()
        options = rbl.Options(timeout=rbl_model.LOOKUP_TIMEOUT)
        found = await rbl.check_list_health([s.probe_source() for s in stale], options, ctx)
        for source in stale:
            health = found[source.probe_source().id]
            _health[(ctx.resolver, source.sid)] = (clock + HEALTH_TTL, health)
    return {s.sid: _health[(ctx.resolver, s.sid)][1] for s in sources}


def _trusted(result: rbl.ListResult, health: rbl.ListHealth | None) -> rbl.ListResult:
    if health is None:
        return result
    if health.status == "wildcard" and result.status == "listed":
        return result.model_copy(
            update={"status": "error", "note": f"not trusted: {health.detail}"}
        )
    if health.status == "dead" and result.status == "not_listed":
        return result.model_copy(
            update={"status": "unknown", "note": f"not trusted: {health.detail}"}
        )
    return result


async def lookup(ctx: ProbeContext, value: str, target_type: str, sources: list[Source]) -> Lookup:
    """Ask every list of `sources` that can answer for this host. Raises ProbeError when
    the check cannot run (no resolver)."""
    options, by_zone = rbl_model.probe_options(sources, target_type)
    if not by_zone:
        return Lookup([], [])
    health = await _list_health(ctx, list(by_zone.values()))
    result = (await rbl.check_hosts([value], options, ctx))[0]
    entries: list[dict[str, Any]] = []
    answers: list[Answer] = []
    for answer in result.lists:
        source = by_zone[answer.zone]
        trusted = _trusted(answer, health.get(source.sid))
        entry = rbl_model.detail_entry(source, trusted)
        entries.append(entry)
        answers.append(Answer(source.sid, trusted.status, entry))
    return Lookup(entries, answers)


# The lists and frequency of a profile, read once per PLAN_TTL seconds per process rather than
# per host: a sweep of a thousand hosts on one profile would otherwise re-read them a thousand
# times. The service forgets an account's entries when its sources or profiles change; other
# processes see a change within PLAN_TTL.
PLAN_TTL = 30.0
_plans: dict[tuple[str, str | None], tuple[float, list[Source], int]] = {}


def forget(account_sid: str) -> None:
    """Drop the cached plans of an account (its sources or profiles changed)."""
    for key in [k for k in _plans if k[0] == account_sid]:
        _plans.pop(key, None)


async def _plan(
    conn: Connection, account_sid: str, profile_sid: str | None
) -> tuple[list[Source], int]:
    """The lists a check asks (the profile's; with no profile, all the account's) and the
    profile's frequency in seconds."""
    key = (account_sid, profile_sid)
    cached = _plans.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2]
    sources = await rbl_model.account_sources(conn, account_sid)
    profile = None
    if profile_sid is not None:
        profile = (
            await conn.execute(sa.select(rbl_profiles).where(rbl_profiles.c.sid == profile_sid))
        ).first()
    if profile is None:
        chosen = [s for s in sources if not s.paused and s.purpose == "block"]
        interval = FREQUENCIES[DEFAULT_FREQUENCY]
    else:
        chosen = rbl_model.profile_sources(profile, sources)
        interval = FREQUENCIES.get(profile.frequency, FREQUENCIES[DEFAULT_FREQUENCY])
    if len(_plans) > 10_000:
        _plans.clear()
    _plans[key] = (time.monotonic() + PLAN_TTL, chosen, interval)
    return chosen, interval


def _describe(host: dict[str, Any], evaluation: Evaluation, kind: str) -> str:
    label = host["host"] if host["name"] == host["host"] else f"{host['name']} ({host['host']})"
    zones = ", ".join(e["host"] for e in evaluation.listings.values())
    if kind == "rbl.host.delisted":
        return f"{label} is no longer listed on any blocklist."
    if kind == "rbl.host.listed":
        return f"{label} is listed on {len(evaluation.listings)} blocklist(s): {zones}."
    state = f"listed on {zones}" if evaluation.listed else "not listed"
    return f"Blocklist check of {label} completed: {state}."


def _result_payload(check_sid: str, host: dict[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    details = list(evaluation.listings.values())
    return {
        "check_sid": check_sid,
        "host": host,
        "listed": bool(details),
        "total": len(details),
        "details": details,
    }


@dataclass(frozen=True, slots=True)
class ManualCheck:
    """A claimed manual check row and its lease owner: finished in the host's transaction."""

    row: Any
    owner: str


async def check_host(
    deps: RblDeps,
    host: Any,
    *,
    check_sid: str,
    owner: str | None,
    manual: ManualCheck | None = None,
) -> dict[str, Any] | None:
    """Check one host and write its new state and events. With `owner` the host's lease is
    completed and it is rescheduled; a manual check (`owner` None) leaves its schedule.
    Returns the check's summary, or None when the lease was lost."""
    now = deps.clock.now()
    async with deps.db.transaction() as conn:
        host_now = rbl_model.host_json(host, now)
        await record_event(
            conn,
            account_sid=host.account_sid,
            type="rbl.host.check.started",
            description=f"Blocklist check of {host.host} started.",
            payload={"check_sid": check_sid, "host": host_now},
            now=now,
            resource_type="rbl_host",
            resource_sid=host.sid,
        )
        sources, interval = await _plan(conn, host.account_sid, host.profile_sid)
    try:
        found = await lookup(deps.probe_ctx, host.host, host.target_type, sources)
    except ProbeError as exc:
        await _give_up(deps, host, owner, manual, exc.message, interval)
        return None
    evaluation = evaluate(host.listings or {}, found.answers)
    summary = found.summary(evaluation)
    try:
        async with deps.db.transaction() as conn:
            now = deps.clock.now()
            row = await _write_host(conn, host, owner, evaluation, now, interval)
            shown = rbl_model.host_json(row, now)
            completed = None
            for kind in evaluation.events:
                event = await record_event(
                    conn,
                    account_sid=host.account_sid,
                    type=kind,
                    description=_describe(shown, evaluation, kind),
                    payload=_result_payload(check_sid, shown, evaluation),
                    now=now,
                    resource_type="rbl_host",
                    resource_sid=host.sid,
                    contact_groups=list(host.contact_groups)
                    if kind != "rbl.host.check.completed" and evaluation.notify
                    else [],
                )
                completed = completed or event
            if manual is not None:
                assert completed is not None
                await _finish_check(conn, manual, summary, completed, now)
    except LeaseLost:
        log.info("rbl host %s: lease lost, result discarded", host.sid)
        return None
    return summary


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
            raise LeaseLost
    else:
        updated = await conn.execute(
            rbl_hosts.update().where(rbl_hosts.c.sid == host.sid).values(values)
        )
        if not updated.rowcount:
            raise LeaseLost  # the host was deleted meanwhile
    return (await conn.execute(sa.select(rbl_hosts).where(rbl_hosts.c.sid == host.sid))).one()


async def _give_up(
    deps: RblDeps,
    host: Any,
    owner: str | None,
    manual: ManualCheck | None,
    error: str,
    interval: int,
) -> None:
    """The check could not run (no resolver): keep the state, try again next time."""
    log.warning("rbl host %s: %s", host.sid, error)
    now = deps.clock.now()
    async with deps.db.transaction() as conn:
        if owner is not None:
            await leases.complete(
                conn, rbl_hosts, host.sid, owner, now + timedelta(seconds=interval)
            )
        if manual is not None:
            await leases.complete(
                conn, rbl_checks, manual.row.sid, manual.owner, now,
                paused=True, status="completed", error=error, completed_at=now,
            )  # fmt: skip


async def _finish_check(
    conn: Connection, manual: ManualCheck, summary: dict[str, Any], completed: Event, now: datetime
) -> None:
    """Store a manual check's result and queue its callback, in the check's transaction."""
    done = await leases.complete(
        conn,
        rbl_checks,
        manual.row.sid,
        manual.owner,
        now,
        paused=True,
        status="completed",
        result=summary,
        completed_at=now,
    )
    if not done:
        raise LeaseLost
    if manual.row.callback_url:
        # The callback is one more recipient of the completed event, signed with the
        # check's own secret (delivery/callbacks.py).
        row = outbox.delivery_row(completed, "callback", manual.row.sid)
        await conn.execute(deliveries.insert().values(row))


async def _one_off_event(
    conn: Connection, check: Any, summary: dict[str, Any], now: datetime
) -> Event:
    """The completed event of a one-off check. It is about no host of the account, so it is
    recorded for the callback and the event log only: no subscription or contact gets it."""
    host = rbl_model.one_off_host(check.host, check.target_type)
    payload = {
        "check_sid": check.sid,
        "host": host,
        "listed": summary["listed"],
        "total": summary["listed_count"],
        "details": summary["listed_details"],
    }
    state = "listed" if summary["listed"] else "not listed"
    event = Event(
        sid=new_sid("event"),
        account_sid=check.account_sid,
        type="rbl.host.check.completed",
        description=f"Blocklist check of {check.host} completed: {state}.",
        payload=payload,
        created_at=now,
        resource_type="rbl_check",
        resource_sid=check.sid,
    )
    await conn.execute(
        events.insert().values(
            sid=event.sid,
            account_sid=event.account_sid,
            type=event.type,
            resource_type=event.resource_type,
            resource_sid=event.resource_sid,
            description=event.description,
            payload=payload,
            contact_groups=[],
            created_at=now,
        )
    )
    return event


async def run_check(deps: RblDeps, row: Any, owner: str) -> None:
    """Run one claimed manual check (the `rbl_checks` job)."""
    now = deps.clock.now()
    manual = ManualCheck(row, owner)
    async with deps.db.transaction() as conn:
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
        await check_host(deps, host, check_sid=row.sid, owner=None, manual=manual)
        return
    async with deps.db.connect() as conn:
        profile = await default_profile(conn, row.account_sid)
        sources, _ = await _plan(conn, row.account_sid, profile)
    try:
        found = await lookup(deps.probe_ctx, row.host, row.target_type, sources)
    except ProbeError as exc:
        async with deps.db.transaction() as conn:
            await leases.complete(
                conn, rbl_checks, row.sid, owner, now,
                paused=True, status="completed", error=exc.message, completed_at=now,
            )  # fmt: skip
        return
    summary = found.summary()
    try:
        async with deps.db.transaction() as conn:
            now = deps.clock.now()
            if row.callback_url:
                event = await _one_off_event(conn, row, summary, now)
                await _finish_check(conn, manual, summary, event, now)
            elif not await leases.complete(
                conn, rbl_checks, row.sid, owner, now,
                paused=True, status="completed", result=summary, completed_at=now,
            ):  # fmt: skip
                raise LeaseLost
    except LeaseLost:
        log.info("rbl check %s: lease lost, result discarded", row.sid)


async def default_profile(conn: Connection, account_sid: str) -> str | None:
    value: str | None = (
        await conn.execute(
            sa.select(rbl_profiles.c.sid).where(
                rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True)
            )
        )
    ).scalar_one_or_none()
    return value


async def run_host(deps: RblDeps, row: Any, owner: str) -> None:
    """Run one claimed scheduled host check (the `rbl_hosts` job)."""
    await check_host(deps, row, check_sid=new_sid("rbl_check"), owner=owner)


async def check_host_now(deps: RblDeps, sid: str) -> bool:
    """Check one host at once, through the job's own path: take its lease (False when a
    check of it is running now), run it, reschedule it from now."""
    owner = f"now-{secrets.token_hex(6)}"
    now = deps.clock.now()
    async with deps.db.transaction() as conn:
        taken = await conn.execute(
            rbl_hosts.update()
            .where(
                rbl_hosts.c.sid == sid,
                sa.or_(rbl_hosts.c.lease_expires_at.is_(None), rbl_hosts.c.lease_expires_at <= now),
            )
            .values(
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=LEASE_SECONDS),
                next_run_at=now,
            )
        )
        if not taken.rowcount:
            return False
        row = (await conn.execute(sa.select(rbl_hosts).where(rbl_hosts.c.sid == sid))).one()
    await run_host(deps, row, owner)
    return True


HOST_JOB = Job(name="rbl_hosts", table=rbl_hosts, lease_seconds=LEASE_SECONDS, run=run_host)
CHECK_JOB = Job(
    name="rbl_checks", table=rbl_checks, lease_seconds=LEASE_SECONDS, run=run_check, concurrency=20
)
RBL_JOBS = (HOST_JOB, CHECK_JOB)
