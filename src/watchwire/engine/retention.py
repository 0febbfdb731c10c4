"""Retention: what grows with time is deleted once it is older than its window.

    1. Every `interval` seconds (a random part of it after start, so workers started together
       do not purge together), each kind below is deleted in batches of
       `batch` rows, one transaction per batch, yielding to the loop between batches so
       the API and the other loops keep the SQLite writer.
    2. Kinds, in this order (an earlier one frees rows a later one waits for):
       finished deliveries (their attempts go with them) → the integer aliases of deleted
       deliveries → events no delivery refers to →
       finished one-off blocklist checks with no open callback → finished domain batches →
       raw monitor results → heartbeat pings (kept as long as raw results) → idempotency
       keys past their TTL → agents' batch ids (as old as raw results) → dashboard sessions
       past their end.
    3. Several workers may run this at once: a batch picks its rows with
       `FOR UPDATE SKIP LOCKED` on PostgreSQL (rows another purge or a writer holds are
       skipped, never waited on); SQLite has one process. Nothing else is coordinated.

Kept for good: hourly rollups and downtimes (uptime and response times over any range come
from them), and every row a user created (monitors, hosts, contacts …), which go when the
user deletes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.ids import PREFIXES
from watchwire.store.aliases import sid_aliases
from watchwire.store.database import Database
from watchwire.store.tables import events, idempotency_keys
from watchwire.store.tables_domains import domain_batches
from watchwire.store.tables_engine import heartbeat_pings, monitor_results
from watchwire.store.tables_locations import agent_batches
from watchwire.store.tables_rbl import rbl_checks
from watchwire.store.tables_users import user_sessions
from watchwire.store.tables_webhooks import deliveries

if TYPE_CHECKING:
    from watchwire.config import Settings

log = logging.getLogger(__name__)

FINISHED_DELIVERIES = ("delivered", "failed", "dead")
OPEN_DELIVERIES = ("pending", "retrying")
FINISHED_BATCHES = ("completed", "failed")


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each kind of row is kept (days), and how often and how much is purged."""

    results_days: int = 14
    deliveries_days: int = 30
    events_days: int = 90
    checks_days: int = 30
    idempotency_seconds: int = 60
    interval: float = 600.0
    # Rows per transaction: a batch of deliveries (with their attempts) held the SQLite writer,
    # and so the event loop, ~35 ms on a loaded 2-core machine; one of results ~2 ms.
    batch: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            results_days=settings.results_retention_days,
            deliveries_days=settings.deliveries_retention_days,
            events_days=settings.events_retention_days,
            checks_days=settings.checks_retention_days,
            idempotency_seconds=settings.idempotency_ttl_seconds,
            interval=settings.retention_interval_seconds,
        )


# Each kind: the table, its key columns, and the rows of it that may go (given `now`).
Doomed = Callable[[datetime, Retention], list[Any]]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    table: sa.Table
    key: tuple[str, ...]
    doomed: Doomed


def _days(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _deliveries(now: datetime, keep: Retention) -> list[Any]:
    return [
        deliveries.c.status.in_(FINISHED_DELIVERIES),
        deliveries.c.created_at < _days(now, keep.deliveries_days),
    ]


def _delivery_aliases(now: datetime, keep: Retention) -> list[Any]:
    # An alias goes with its delivery; it is never given again (store/aliases.py).
    kept = sa.select(deliveries.c.sid).where(deliveries.c.sid == sid_aliases.c.sid)
    return [sid_aliases.c.sid.like(PREFIXES["delivery"] + "%"), ~kept.exists()]


def _events(now: datetime, keep: Retention) -> list[Any]:
    # An event goes only after its last delivery did: the delivery log shows its event.
    referenced = sa.select(deliveries.c.sid).where(deliveries.c.event_sid == events.c.sid)
    return [events.c.created_at < _days(now, keep.events_days), ~referenced.exists()]


def _checks(now: datetime, keep: Retention) -> list[Any]:
    # A callback still being retried reads its URL and secret from the check's row.
    callback = sa.select(deliveries.c.sid).where(
        deliveries.c.target_sid == rbl_checks.c.sid,
        deliveries.c.status.in_(OPEN_DELIVERIES),
    )
    return [
        rbl_checks.c.status == "completed",
        rbl_checks.c.completed_at < _days(now, keep.checks_days),
        ~callback.exists(),
    ]


def _batches(now: datetime, keep: Retention) -> list[Any]:
    return [
        domain_batches.c.status.in_(FINISHED_BATCHES),
        domain_batches.c.completed_at < _days(now, keep.checks_days),
    ]


def _results(now: datetime, keep: Retention) -> list[Any]:
    return [monitor_results.c.checked_at < _days(now, keep.results_days)]


def _pings(now: datetime, keep: Retention) -> list[Any]:
    return [heartbeat_pings.c.received_at < _days(now, keep.results_days)]


def _agent_batches(now: datetime, keep: Retention) -> list[Any]:
    # A batch id only has to outlive the agent's retries of it (minutes, hours through a long
    # outage); kept as long as the raw results the batch wrote, which go at the same age.
    return [agent_batches.c.received_at < _days(now, keep.results_days)]


def _sessions(now: datetime, keep: Retention) -> list[Any]:
    # A session past its end is refused at sign-in already; its row is only kept until here.
    return [user_sessions.c.expires_at < now]


def _idempotency(now: datetime, keep: Retention) -> list[Any]:
    return [idempotency_keys.c.created_at < now - timedelta(seconds=keep.idempotency_seconds)]


KINDS: tuple[Kind, ...] = (
    Kind("deliveries", deliveries, ("sid",), _deliveries),
    Kind("delivery_aliases", sid_aliases, ("alias",), _delivery_aliases),
    Kind("events", events, ("sid",), _events),
    Kind("rbl_checks", rbl_checks, ("sid",), _checks),
    Kind("domain_batches", domain_batches, ("sid",), _batches),
    Kind("monitor_results", monitor_results, ("id",), _results),
    Kind("heartbeat_pings", heartbeat_pings, ("id",), _pings),
    Kind("idempotency_keys", idempotency_keys, ("account_sid", "key"), _idempotency),
    Kind("agent_batches", agent_batches, ("batch_id",), _agent_batches),
    Kind("user_sessions", user_sessions, ("token_hash",), _sessions),
)


def _delete_batch(db: Database, kind: Kind, now: datetime, keep: Retention) -> sa.Delete:
    columns = [kind.table.c[name] for name in kind.key]
    chosen = sa.select(*columns).where(*kind.doomed(now, keep)).limit(keep.batch)
    if db.dialect == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    key = columns[0] if len(columns) == 1 else sa.tuple_(*columns)
    return kind.table.delete().where(key.in_(chosen))


async def purge_kind(
    db: Database, kind: Kind, now: datetime, keep: Retention, stop: asyncio.Event | None = None
) -> int:
    """Delete every row of `kind` past its window, a batch per transaction; return how many."""
    removed = 0
    while stop is None or not stop.is_set():
        async with db.transaction() as conn:
            result = await conn.execute(_delete_batch(db, kind, now, keep))
        count = int(result.rowcount or 0)
        removed += count
        if count < keep.batch:
            break
        await asyncio.sleep(0)  # let the API and the other loops write between batches
    return removed


async def purge(
    db: Database, now: datetime, keep: Retention, stop: asyncio.Event | None = None
) -> dict[str, int]:
    """One purge of every kind, in the module docstring's order; rows removed per kind."""
    removed: dict[str, int] = {}
    for kind in KINDS:
        removed[kind.name] = await purge_kind(db, kind, now, keep, stop)
    return removed


async def run_retention(
    db: Database,
    clock: Clock,
    keep: Retention,
    stop: asyncio.Event,
    *,
    rng: random.Random | None = None,
) -> None:
    """Purge every `keep.interval` seconds until `stop` is set (for `serve` and `worker`)."""
    wait = (rng or random).uniform(0, keep.interval)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stop.wait()
        if stop.is_set():
            return
        try:
            removed = await purge(db, clock.now(), keep, stop)
        except Exception:  # a database hiccup: the next round deletes what this one did not
            log.exception("retention purge failed")
        else:
            if any(removed.values()):
                log.info(
                    "retention purge removed %s",
                    ", ".join(f"{n} {name}" for name, n in removed.items() if n),
                )
        wait = keep.interval
