"""Blocklist monitoring end to end, on SQLite and PostgreSQL: hosts checked by the real job
path against a real rbldnsd whose zones change between checks, every rbl.* event produced
from a real state change and delivered (signed, Generator Labs format) to a real receiver,
and manual checks with their callback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from tests.delivery.helpers import subscribe, worker
from tests.servers.rbl_monitoring import rbl_server, rbldnsd_factory, settings
from tests.servers.rbldnsd import RbldnsdServer
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock, as_utc
from watchwire.engine import leases
from watchwire.engine.jobs import JobRunner
from watchwire.ids import is_sid
from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import events
from watchwire.store.tables_rbl import rbl_checks, rbl_hosts
from watchwire.store.tables_webhooks import deliveries
from watchwire.webhooks import verify

__all__ = ["rbl_server", "rbldnsd_factory", "settings", "webhook_receiver"]

HOST = "192.0.2.10"


async def _profile(runtime: Runtime, account: str, **fields: Any) -> tuple[str, str, str]:
    """Two custom IPv4 lists on the local rbldnsd and a profile checking only them."""
    rbl = runtime.rbl
    one = await rbl.create_source(account, {"host": "bl-one.test", "type": "rbl"})
    two = await rbl.create_source(
        account, {"host": "bl-two.test", "type": "rbl", "custom_codes": "127.0.0.2"}
    )
    profile = await rbl.create_profile(
        account,
        {"name": "local", "entries": [one.sid, two.sid], "frequency": "1_hour", **fields},
    )
    return profile.sid, one.sid, two.sid


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# A frozen clock gives one check's events the same time: order them as they are written.
RANK = {"rbl.host.check.started": 0, "rbl.host.check.completed": 1}


async def _events(runtime: Runtime) -> list[Any]:
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(events))).all()
    rows = [r for r in rows if r.type.startswith("rbl.")]
    return sorted(rows, key=lambda r: (as_utc(r.created_at), RANK.get(r.type, 2)))


def _types(rows: list[Any]) -> list[str]:
    return [r.type for r in rows]


def _bodies(receiver: Receiver, secret: str, now: float, path: str = "/hook") -> list[Any]:
    """The verified bodies received at `path`, in the order their events were written."""
    bodies = [
        verify(secret, r.headers, r.body, format="generatorlabs", now=now)
        for r in receiver.requests(path)
    ]
    return sorted(bodies, key=lambda b: (b["event_date"], RANK.get(b["event_type"], 2)))


async def test_listed_then_delisted_produces_every_event(
    runtime: Runtime,
    account: CreatedKey,
    rbl_server: RbldnsdServer,
    webhook_receiver: Receiver,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    sid_account = account.account_sid
    hook = await subscribe(
        runtime, sid_account, webhook_receiver.url("/hook"), format="generatorlabs"
    )
    group = await runtime.contact_groups.create_group(sid_account, name="ops")
    profile, one, two = await _profile(runtime, sid_account)
    [host] = await runtime.rbl.create_hosts(
        sid_account,
        {"host": HOST, "name": "mail", "profile": profile, "contact_groups": [group.sid]},
    )
    jobs = JobRunner(runtime.db, runtime.clock, runtime.rbl.host_job, "test-worker")

    # 1. clean: started + completed, nothing listed, next check one hour later
    assert await jobs.run_once() == 1
    assert _types(await _events(runtime)) == ["rbl.host.check.started", "rbl.host.check.completed"]
    checked = await runtime.rbl.get_host(sid_account, host.sid)
    assert checked.listed is False and checked.last_checked_at == _at("2026-11-24T12:00:00Z")
    assert checked.next_check_at == _at("2026-11-24T13:00:00Z")
    assert await jobs.run_once() == 0  # not due again yet

    # 2. the list starts listing it: started, completed (listed) and listed
    rbl_server.write_zone("bl-one.test", [f"{HOST} :127.0.0.2:Spam source, see https://bl.test/"])
    rbl_server.write_zone("bl-two.test", [f"{HOST} :127.0.0.9:not one of the custom codes"])
    rbl_server.reload()
    clock.advance(3600)
    assert await jobs.run_once() == 1
    rows = await _events(runtime)
    assert _types(rows[2:]) == [
        "rbl.host.check.started",
        "rbl.host.check.completed",
        "rbl.host.listed",
    ]
    listed = await runtime.rbl.get_host(sid_account, host.sid)
    assert listed.listed is True and len(listed.listings) == 1
    assert listed.first_listed == _at("2026-11-24T13:00:00Z")
    listings, total_listed = await runtime.rbl.list_hosts(
        sid_account, PageRequest(), listed_only=True
    )
    assert total_listed == 1 and [h.sid for h in listings.items] == [host.sid]

    # 3. delisted: started, completed (clean) and delisted
    rbl_server.write_zone("bl-one.test", [])
    rbl_server.reload()
    clock.advance(3600)
    assert await jobs.run_once() == 1
    rows = await _events(runtime)
    assert _types(rows[5:]) == [
        "rbl.host.check.started",
        "rbl.host.check.completed",
        "rbl.host.delisted",
    ]
    assert (await runtime.rbl.get_host(sid_account, host.sid)).first_listed is None

    # Who was told: every event went to the webhook; only the changes carry the contact group.
    by_type = {r.type: r for r in rows}
    assert by_type["rbl.host.listed"].contact_groups == [group.sid]
    assert by_type["rbl.host.delisted"].contact_groups == [group.sid]
    assert by_type["rbl.host.check.completed"].contact_groups == []

    # Deliver them all and check each body field by field, as 003's samples show them.
    sender = worker(runtime)
    while await sender.run_once():
        pass
    await sender.sender.close()
    bodies = _bodies(webhook_receiver, hook.secret, clock.now().timestamp())
    assert [b["event_type"] for b in bodies] == _types(rows)
    check_sids = {b["check_sid"] for b in bodies}
    assert len(check_sids) == 3 and all(is_sid("rbl_check", s) for s in check_sids)
    for body, row in zip(bodies, rows, strict=True):
        assert body["event_sid"] == row.sid and is_sid("event", body["event_sid"])
        created = as_utc(row.created_at)
        assert created is not None
        assert body["event_date"] == created.astimezone(UTC).isoformat()
        assert body["event_date"].endswith("+00:00")
        assert body["host"]["id"] == host.sid and body["host"]["host"] == HOST
        assert body["host"]["name"] == "mail" and body["host"]["profile"] == profile
        assert body["host"]["status"] == "active"
    started, completed_clean = bodies[0], bodies[1]
    assert set(started) == {
        "event_sid", "event_type", "event_date", "description", "check_sid", "host"
    }  # fmt: skip
    assert started["check_sid"] == completed_clean["check_sid"]
    assert completed_clean["listed"] is False and completed_clean["total"] == 0
    assert completed_clean["details"] == []

    completed_listed, listed_body = bodies[3], bodies[4]
    for body in (completed_listed, listed_body):
        assert set(body) == {
            "event_sid", "event_type", "event_date", "description", "check_sid", "host",
            "listed", "total", "details",
        }  # fmt: skip
        assert body["listed"] is True and body["total"] == 1
        [entry] = body["details"]
        assert entry == {
            "id": one,
            "name": "bl-one.test",
            "host": "bl-one.test",
            "type": "rbl",
            "custom": True,
            "listed": True,
            "status": "listed",
            "return_code": "127.0.0.2",
            "details": "Spam source, see https://bl.test/",
            "website": None,
        }
        assert body["host"]["listed"] is True and body["host"]["listed_details"] == [entry]
    assert listed_body["check_sid"] == completed_listed["check_sid"]
    assert (
        "192.0.2.10" in listed_body["description"] and "bl-one.test" in listed_body["description"]
    )

    delisted = bodies[7]
    assert delisted["event_type"] == "rbl.host.delisted"
    assert delisted["listed"] is False and delisted["total"] == 0 and delisted["details"] == []
    assert delisted["host"]["listed"] is False
    assert two not in orjson.dumps(bodies).decode()  # 127.0.0.9 is not one of its codes


async def test_paused_hosts_and_sources_are_not_checked(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer
) -> None:
    sid_account = account.account_sid
    profile, one, _ = await _profile(runtime, sid_account)
    [host] = await runtime.rbl.create_hosts(sid_account, {"host": HOST, "profile": profile})
    await runtime.rbl.set_host_paused(sid_account, host.sid, True)
    jobs = JobRunner(runtime.db, runtime.clock, runtime.rbl.host_job, "test-worker")
    assert await jobs.run_once() == 0
    await runtime.rbl.set_host_paused(sid_account, host.sid, False)

    rbl_server.write_zone("bl-one.test", [f"{HOST} :127.0.0.2:listed"])
    rbl_server.reload()
    await runtime.rbl.set_source_paused(sid_account, one, True)
    assert await jobs.run_once() == 1
    shown = await runtime.rbl.get_host(sid_account, host.sid)
    assert shown.listed is False  # the only list that lists it is paused
    assert shown.next_check_at == _at("2026-11-24T13:00:00Z")


async def test_manual_check_runs_through_the_job_and_calls_back(
    runtime: Runtime,
    account: CreatedKey,
    rbl_server: RbldnsdServer,
    webhook_receiver: Receiver,
) -> None:
    sid_account = account.account_sid
    _, one, _ = await _profile(runtime, sid_account, is_default=True)
    await subscribe(runtime, sid_account, webhook_receiver.url("/hook"))
    rbl_server.write_zone("bl-one.test", ["192.0.2.77 :127.0.0.3:manual check"])
    rbl_server.reload()

    started = await runtime.rbl.start_check(
        sid_account, host="192.0.2.77", callback=webhook_receiver.url("/cb"), details=True
    )
    assert is_sid("rbl_check", started.sid) and started.status == "pending"
    assert started.host_sid is None
    assert [r.zone for r in started.sources or ()] == ["bl-one.test", "bl-two.test"]
    secret = started.callback_secret
    assert secret.startswith("whsec_")
    pending = await runtime.rbl.get_check(sid_account, started.sid)
    assert pending.status == "pending" and pending.listed is None

    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "test-worker").run_once()
        == 1
    )
    done = await runtime.rbl.get_check(sid_account, started.sid, details=True)
    assert done.status == "completed"
    assert done.listed is True and done.listed_count == 1
    assert done.checked_count == 2 and done.total_count == 2
    assert {d.zone: d.listed for d in done.details or ()} == {
        "bl-one.test": True,
        "bl-two.test": False,
    }
    assert (await runtime.rbl.get_check(sid_account, started.sid)).details is None

    sender = worker(runtime)
    while await sender.run_once():
        pass
    await sender.sender.close()
    # A one-off address is no host of the account: only its callback hears about it.
    assert webhook_receiver.requests("/hook") == []
    [callback] = _bodies(webhook_receiver, secret, runtime.clock.now().timestamp(), "/cb")
    assert callback["event_type"] == "rbl.host.check.completed"
    assert callback["check_sid"] == started.sid
    assert callback["host"] == {
        "id": None,
        "host": "192.0.2.77",
        "name": "192.0.2.77",
        "type": "rbl",
    }
    assert callback["listed"] is True and callback["total"] == 1
    assert [d["id"] for d in callback["details"]] == [one]
    assert callback["details"][0]["return_code"] == "127.0.0.3"
    async with runtime.db.connect() as conn:
        [row] = (
            await conn.execute(sa.select(deliveries).where(deliveries.c.target_type == "callback"))
        ).all()
    assert row.status == "delivered" and row.target_sid == started.sid


async def test_manual_check_of_an_account_host_is_that_hosts_check(
    runtime: Runtime,
    account: CreatedKey,
    rbl_server: RbldnsdServer,
    webhook_receiver: Receiver,
) -> None:
    sid_account = account.account_sid
    profile, _, _ = await _profile(runtime, sid_account)
    [host] = await runtime.rbl.create_hosts(sid_account, {"host": HOST, "profile": profile})
    hook = await subscribe(
        runtime, sid_account, webhook_receiver.url("/hook"), format="generatorlabs"
    )
    rbl_server.write_zone("bl-one.test", [f"{HOST} :127.0.0.2:listed"])
    rbl_server.reload()
    started = await runtime.rbl.start_check(
        sid_account, host=host.sid, callback=webhook_receiver.url("/cb")
    )
    assert started.host_sid == host.sid and started.sources is None
    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "test-worker").run_once()
        == 1
    )
    shown = await runtime.rbl.get_host(sid_account, host.sid)
    assert shown.listed is True
    assert shown.next_check_at == _at("2026-11-24T12:00:00Z")  # its own schedule is untouched
    rows = await _events(runtime)
    assert _types(rows) == [
        "rbl.host.check.started",
        "rbl.host.check.completed",
        "rbl.host.listed",
    ]
    assert {r.payload["check_sid"] for r in rows} == {started.sid}

    sender = worker(runtime)
    while await sender.run_once():
        pass
    await sender.sender.close()
    now = runtime.clock.now().timestamp()
    assert len(_bodies(webhook_receiver, hook.secret, now)) == 3
    [callback] = _bodies(webhook_receiver, started.callback_secret, now, "/cb")
    assert callback["event_sid"] == rows[1].sid and callback["host"]["id"] == host.sid


async def test_check_now_and_a_missing_resolver(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer
) -> None:
    sid_account = account.account_sid
    profile, _, _ = await _profile(runtime, sid_account)
    [host] = await runtime.rbl.create_hosts(sid_account, {"host": HOST, "profile": profile})
    rbl_server.write_zone("bl-one.test", [f"{HOST} :127.0.0.2:listed"])
    rbl_server.reload()
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(60)
    fresh = await runtime.rbl.check_host_now(sid_account, host.sid)
    assert fresh.listed is True and fresh.last_checked_at == _at("2026-11-24T12:01:00Z")
    assert fresh.next_check_at == _at("2026-11-24T13:01:00Z")
    async with runtime.db.connect() as conn:
        row = (await conn.execute(sa.select(rbl_hosts))).one()
    assert row.lease_owner is None

    # Without a resolver nothing is asked (never the system's): the state stays as it was.
    lists = runtime.rbl.checker.lists
    lists.probe_ctx = replace(lists.probe_ctx, resolver=None)
    runtime.clock.advance(60)
    again = await runtime.rbl.check_host_now(sid_account, host.sid)
    assert again.listed is True and again.last_checked_at == _at("2026-11-24T12:01:00Z")


async def test_a_manual_check_survives_a_worker_that_died(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer
) -> None:
    sid_account = account.account_sid
    await _profile(runtime, sid_account, is_default=True)
    started = await runtime.rbl.start_check(sid_account, host="192.0.2.5")
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    # A worker claims it and dies before running it: the row stays pending under its lease.
    [claimed] = await leases.claim_due(
        runtime.db, rbl_checks, "dead-worker", clock.now(), 10, runtime.rbl.check_job.lease_seconds
    )
    assert claimed.sid == started.sid
    survivor = JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "survivor")
    assert await survivor.run_once() == 0
    clock.advance(runtime.rbl.check_job.lease_seconds + 1)
    assert await survivor.run_once() == 1
    done = await runtime.rbl.get_check(sid_account, started.sid)
    assert done.status == "completed" and done.listed is False
    assert done.total_count == 2 and done.checked_count == 2
    assert await survivor.run_once() == 0  # a completed check is never run again


# -- every check ends with its event and its callback, also when it fails ----------------------


async def _deliver_all(runtime: Runtime) -> None:
    sender = worker(runtime)
    while await sender.run_once():
        pass
    await sender.sender.close()


async def _run_checks(runtime: Runtime) -> int:
    job = runtime.rbl.check_job
    return await JobRunner(runtime.db, runtime.clock, job, "test-worker").run_once()


def _without_resolver(runtime: Runtime) -> None:
    lists = runtime.rbl.checker.lists
    lists.probe_ctx = replace(lists.probe_ctx, resolver=None)


async def test_a_one_off_check_that_cannot_run_still_calls_back_with_its_error(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer, webhook_receiver: Receiver
) -> None:
    sid_account = account.account_sid
    await _profile(runtime, sid_account, is_default=True)
    _without_resolver(runtime)
    started = await runtime.rbl.start_check(
        sid_account, host="192.0.2.5", callback=webhook_receiver.url("/cb")
    )
    assert await _run_checks(runtime) == 1
    done = await runtime.rbl.get_check(sid_account, started.sid)
    assert done.status == "completed" and done.error
    assert done.listed is None and done.checked_count == 0

    await _deliver_all(runtime)
    now = runtime.clock.now().timestamp()
    [body] = _bodies(webhook_receiver, started.callback_secret, now, "/cb")
    assert body["event_type"] == "rbl.host.check.completed"
    assert body["check_sid"] == started.sid
    assert body["error"] == done.error
    assert body["listed"] is False and body["total"] == 0 and body["details"] == []
    assert "could not run" in body["description"]


async def test_a_one_off_check_no_list_answers_reports_an_error_and_calls_back(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer, webhook_receiver: Receiver
) -> None:
    sid_account = account.account_sid
    rbl = runtime.rbl
    # Zones the local server does not serve: it refuses every question about them.
    gone = [
        await rbl.create_source(sid_account, {"host": zone, "type": "rbl"})
        for zone in ("gone-one.test", "gone-two.test")
    ]
    await rbl.create_profile(
        sid_account,
        {"name": "gone", "entries": [s.sid for s in gone], "is_default": True},
    )
    started = await rbl.start_check(
        sid_account, host="192.0.2.6", callback=webhook_receiver.url("/cb")
    )
    assert await _run_checks(runtime) == 1
    done = await rbl.get_check(sid_account, started.sid)
    assert done.status == "completed"
    assert (done.total_count, done.checked_count) == (2, 0)
    assert done.error == "none of the 2 blocklists asked gave an answer"

    await _deliver_all(runtime)
    now = runtime.clock.now().timestamp()
    [body] = _bodies(webhook_receiver, started.callback_secret, now, "/cb")
    assert body["event_type"] == "rbl.host.check.completed"
    assert body["error"] == done.error and body["listed"] is False


async def test_a_manual_check_of_a_host_that_cannot_run_ends_with_event_and_callback(
    runtime: Runtime, account: CreatedKey, rbl_server: RbldnsdServer, webhook_receiver: Receiver
) -> None:
    sid_account = account.account_sid
    profile, _, _ = await _profile(runtime, sid_account)
    [host] = await runtime.rbl.create_hosts(sid_account, {"host": HOST, "profile": profile})
    hook = await subscribe(
        runtime, sid_account, webhook_receiver.url("/hook"), format="generatorlabs"
    )
    _without_resolver(runtime)
    started = await runtime.rbl.start_check(
        sid_account, host=host.sid, callback=webhook_receiver.url("/cb")
    )
    assert await _run_checks(runtime) == 1
    done = await runtime.rbl.get_check(sid_account, started.sid)
    assert done.status == "completed" and done.error
    shown = await runtime.rbl.get_host(sid_account, host.sid)
    assert shown.last_checked_at is None  # nothing was learnt: the state stays as it was
    rows = await _events(runtime)
    assert _types(rows) == ["rbl.host.check.started", "rbl.host.check.completed"]
    assert rows[1].payload["error"] == done.error

    await _deliver_all(runtime)
    now = runtime.clock.now().timestamp()
    [callback] = _bodies(webhook_receiver, started.callback_secret, now, "/cb")
    assert callback["event_type"] == "rbl.host.check.completed"
    assert callback["check_sid"] == started.sid and callback["error"] == done.error
    assert callback["host"]["id"] == host.sid
    hooks = _bodies(webhook_receiver, hook.secret, now)
    assert [b["event_type"] for b in hooks] == [
        "rbl.host.check.started",
        "rbl.host.check.completed",
    ]
