"""Retention on SQLite and PostgreSQL, with a frozen clock: every kind of row that grows with
time goes once past its window (and not before), open work is never purged, the purge runs
in batches and side by side with another, and its loop runs by itself and stops at once."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
import sqlalchemy as sa

from tests.delivery.helpers import attempts, emit, rows, subscribe, worker
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.rbl_monitoring import rbl_server, rbldnsd_factory, settings
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.engine.jobs import JobRunner
from watchwire.engine.retention import KINDS, Retention, purge, run_retention
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.errors import NotFoundError
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database
from watchwire.store.tables import idempotency_keys, metadata
from watchwire.store.tables_locations import agent_batches

__all__ = ["rbl_server", "rbldnsd_factory", "settings", "site", "webhook_receiver"]

DAY = 86400
KEEP = Retention()

# Tables that are not purged, and why none of them grows without bound.
BOUNDED = {
    "plans": "data shipped with the code",
    "accounts": "created and deleted by the operator",
    "api_keys": "created and revoked by the account",
    "contacts": "created and deleted by the account",
    "contact_groups": "created and deleted by the account",
    "contact_group_members": "one per contact and group",
    "webhook_subscriptions": "created and deleted by the account (bounded by the plan)",
    "delivery_attempts": "at most max_attempts per delivery, deleted with it",
    "monitors": "created and deleted by the account",
    "monitor_rollups": "one per monitor and hour: kept for good, by design (metrics)",
    "downtimes": "one per outage: kept for good, like the rollups",
    "cert_profiles": "created and deleted by the account",
    "cert_monitors": "created and deleted by the account",
    "cert_errors": "the active errors of a monitor, deleted when they clear",
    "monitored_domains": "created and deleted by the account",
    "domain_records": "the expected records of a domain",
    "domain_expiry": "one per monitored domain",
    "domain_settings": "one per account",
    "rbl_profiles": "created and deleted by the account",
    "rbl_sources": "created and deleted by the account",
    "rbl_paused_sources": "one per account and catalogue source",
    "rbl_hosts": "created and deleted by the account",
    "status_pages": "created and deleted by the account",
    "status_notices": "written by hand by the account: its incident history, kept",
    "status_notice_updates": "written by hand, deleted with their notice",
    "token_signing_keys": "one per rotation; past their grace, deleted by the next rotation",
    "users": "dashboard users, added and removed by the account's owners",
    "locations": "probe locations, added and removed by the operator",
    "agent_instances": "one per agent identity, which an agent keeps across its restarts",
    "monitor_locations": "one per monitor and location it runs from, deleted with either",
    "location_rollups": "one per monitor, location and hour: kept for good like the rollups",
}


def test_every_table_is_purged_or_bounded() -> None:
    purged = {kind.table.name for kind in KINDS}
    assert purged.isdisjoint(BOUNDED)
    assert set(metadata.tables) == purged | set(BOUNDED), "a new table: purge it or say why not"


def _clock(runtime: Runtime) -> FrozenClock:
    assert isinstance(runtime.clock, FrozenClock)
    return runtime.clock


async def _purge(runtime: Runtime, keep: Retention = KEEP) -> dict[str, int]:
    return await purge(runtime.db, runtime.clock.now(), keep)


async def _count(db: Database, table: sa.Table) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_finished_deliveries_then_their_events_go_and_open_ones_stay(
    runtime: Runtime, account: CreatedKey, webhook_receiver: Receiver
) -> None:
    clock = _clock(runtime)
    sid = account.account_sid
    await subscribe(runtime, sid, webhook_receiver.url("/ok"))
    delivered_event = await emit(runtime, sid)
    sender = worker(runtime)
    await sender.run_once()
    [done] = await rows(runtime)
    assert done.status == "delivered" and len(await attempts(runtime, done.sid)) == 1
    # A second endpoint that fails: its delivery is still open (retrying) when both are old.
    webhook_receiver.behave("/down", status=500)
    await subscribe(runtime, sid, webhook_receiver.url("/down"))
    open_event = await emit(runtime, sid)
    await sender.run_once()
    await sender.sender.close()
    [retrying] = await rows(runtime, status="retrying")

    clock.advance(29 * DAY)
    assert not any((await _purge(runtime)).values())

    clock.advance(2 * DAY)
    assert (await _purge(runtime))["deliveries"] == 2  # both events' deliveries to /ok
    with pytest.raises(NotFoundError):
        await runtime.deliveries.get(sid, done.sid)
    assert await attempts(runtime, done.sid) == []
    assert (await runtime.deliveries.get(sid, retrying.sid)).delivery.status == "retrying"
    # The event outlives its delivery: events are kept longer.
    assert (await runtime.events.get(sid, delivered_event.sid)).type == "monitor.down"

    clock.advance(60 * DAY)
    removed = await _purge(runtime)
    assert (removed["deliveries"], removed["events"]) == (0, 1)
    with pytest.raises(NotFoundError):
        await runtime.events.get(sid, delivered_event.sid)
    # Still referred to by its open delivery.
    assert (await runtime.events.get(sid, open_event.sid)).sid == open_event.sid
    assert [r.sid for r in await rows(runtime, status="retrying")] == [retrying.sid]


async def test_finished_checks_and_batches_go_after_their_window(
    runtime: Runtime, account: CreatedKey
) -> None:
    clock = _clock(runtime)
    sid = account.account_sid
    check = await runtime.rbl.start_check(sid, host="192.0.2.77")
    assert await JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "w").run_once() == 1
    assert (await runtime.rbl.get_check(sid, check.sid)).status == "completed"
    batch = await runtime.domains.create_batch(sid, {"domains": [{"domain": "a.test"}]})
    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "w").run_once() == 1
    )
    # Not run yet: a pending check is never purged, however old.
    waiting = await runtime.rbl.start_check(sid, host="192.0.2.78")

    clock.advance(29 * DAY)
    removed = await _purge(runtime)
    assert (removed["rbl_checks"], removed["domain_batches"]) == (0, 0)
    clock.advance(2 * DAY)
    removed = await _purge(runtime)
    assert (removed["rbl_checks"], removed["domain_batches"]) == (1, 1)
    with pytest.raises(NotFoundError):
        await runtime.rbl.get_check(sid, check.sid)
    with pytest.raises(NotFoundError):
        await runtime.domains.batch_status(sid, batch.sid)
    assert (await runtime.rbl.get_check(sid, waiting.sid)).status == "pending"
    # What the batch created is the account's own: it stays.
    assert (await runtime.domains.get(sid, "a.test")).domain == "a.test"


async def test_old_results_go_and_rollups_stay(
    runtime: Runtime, account: CreatedKey, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = _clock(runtime)
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "http", "target": site.url}, min_interval=30
    )
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=4), owner="w")
    clock.advance(10)
    await engine.run_once()
    clock.advance(15 * DAY)
    await engine.run_once()
    assert (await _purge(runtime))["monitor_results"] == 1
    page = await runtime.monitors.results(account.account_sid, monitor.sid, PageRequest())
    assert page.total == 1
    metrics = await runtime.monitors.metrics(account.account_sid, monitor.sid, since="-16d")
    assert metrics.whole.figures["checks"] == 2


async def test_heartbeat_pings_go_with_the_raw_results(
    runtime: Runtime, account: CreatedKey, client: httpx.AsyncClient
) -> None:
    clock = _clock(runtime)
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "heartbeat", "interval": 3600}, min_interval=30
    )
    assert monitor.ping_token is not None
    assert (await client.post(f"/pulse/{monitor.ping_token}", content=b"old")).status_code == 200
    clock.advance(13 * DAY)
    assert (await client.post(f"/pulse/{monitor.ping_token}", content=b"new")).status_code == 200
    clock.advance(2 * DAY)
    assert (await _purge(runtime))["heartbeat_pings"] == 1
    page = await runtime.heartbeats.pings(account.account_sid, monitor.sid, PageRequest())
    assert [ping.body for ping in page.items] == ["new"]


async def test_idempotency_keys_go_once_past_their_ttl(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    clock = _clock(runtime)
    headers = {**auth, "X-Idempotency-Key": "deploy-1"}
    assert (await client.post("/v1/keys", json={}, headers=headers)).status_code == 201
    keep = Retention(idempotency_seconds=runtime.settings.idempotency_ttl_seconds)
    clock.advance(30)
    assert (await _purge(runtime, keep))["idempotency_keys"] == 0
    replayed = await client.post("/v1/keys", json={}, headers=headers)
    assert replayed.headers["X-Idempotent-Replayed"] == "true"
    clock.advance(31)
    assert (await _purge(runtime, keep))["idempotency_keys"] == 1
    assert await _count(runtime.db, idempotency_keys) == 0


async def test_sessions_go_past_their_end_and_batch_ids_with_the_raw_results(
    runtime: Runtime, account: CreatedKey
) -> None:
    clock = _clock(runtime)
    created = await runtime.users.create_user(account.account_sid, "ops@acme.test", "owner")
    old = await runtime.users.sign_in("ops@acme.test", created.password)
    async with runtime.db.transaction() as conn:
        await conn.execute(
            agent_batches.insert().values(
                batch_id="b-old", location="fra", results=3, received_at=clock.now()
            )
        )
    clock.advance(13 * DAY)
    new = await runtime.users.sign_in("ops@acme.test", created.password)
    async with runtime.db.transaction() as conn:
        await conn.execute(
            agent_batches.insert().values(
                batch_id="b-new", location="fra", results=3, received_at=clock.now()
            )
        )
    clock.advance(2 * DAY)
    purged = await _purge(runtime)
    assert (purged["user_sessions"], purged["agent_batches"]) == (1, 1)
    assert await runtime.users.session_user(old.token) is None
    assert await runtime.users.session_user(new.token) is not None
    async with runtime.db.connect() as conn:
        kept = (await conn.execute(sa.select(agent_batches.c.batch_id))).scalars().all()
    assert list(kept) == ["b-new"]


async def _expired_keys(runtime: Runtime, account: CreatedKey, count: int) -> None:
    async with runtime.db.transaction() as conn:
        await conn.execute(
            idempotency_keys.insert(),
            [
                {
                    "account_sid": account.account_sid,
                    "key": f"k{i}",
                    "fingerprint": "f" * 64,
                    "state": "done",
                    "created_at": runtime.clock.now(),
                }
                for i in range(count)
            ],
        )
    _clock(runtime).advance(3600)


async def test_two_purges_at_once_share_the_work_in_batches(
    runtime: Runtime, account: CreatedKey
) -> None:
    await _expired_keys(runtime, account, 53)
    keep = Retention(batch=5)
    first, second = await asyncio.gather(_purge(runtime, keep), _purge(runtime, keep))
    assert first["idempotency_keys"] + second["idempotency_keys"] == 53
    assert await _count(runtime.db, idempotency_keys) == 0


async def test_the_loop_purges_on_its_schedule_and_stops_at_once(
    runtime: Runtime, account: CreatedKey
) -> None:
    await _expired_keys(runtime, account, 3)
    stop = asyncio.Event()
    keep = Retention(interval=0.05)
    task = asyncio.create_task(
        run_retention(runtime.db, runtime.clock, keep, stop, rng=random.Random(1))
    )
    for _ in range(200):
        if await _count(runtime.db, idempotency_keys) == 0:
            break
        await asyncio.sleep(0.02)
    assert await _count(runtime.db, idempotency_keys) == 0
    stop.set()
    await asyncio.wait_for(task, 1)


def test_defaults_come_from_the_settings() -> None:
    keep = Retention.from_settings(Settings())
    assert (keep.results_days, keep.deliveries_days, keep.events_days, keep.checks_days) == (
        14,
        30,
        90,
        30,
    )
    assert keep.idempotency_seconds == 60 and keep.interval == 600
