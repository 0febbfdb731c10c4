"""Monitored domains end to end: a real knotd serves the zone, changed and reloaded during the
test; a real RDAP server answers expiry lookups; events travel through the outbox to a real
webhook receiver in 002's (entri) shape. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from tests.delivery.helpers import subscribe, worker
from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.rdap_server import RdapServer, rdap_server
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire import webhooks
from watchwire.clock import FrozenClock
from watchwire.engine.jobs import JobRunner
from watchwire.engine.leases import LeaseLost
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.domains.records import DnsRecord
from watchwire.store.tables import events
from watchwire.target_policy import TargetPolicy

__all__ = ["knot_factory", "rdap_server", "webhook_receiver"]

ZONE = "shop.test."
RECORDS = 'www CNAME app.example.net.\n@ A 192.0.2.10\n@ TXT "v=spf1 -all"\n'
EXPECTED = [
    {"type": "CNAME", "host": "www", "value": "app.example.net", "ttl": 300},
    {"type": "A", "host": "@", "value": "192.0.2.10", "ttl": 300},
    {"type": "TXT", "host": "@", "value": "v=spf1 -all", "ttl": 300},
]


def _shown(record: DnsRecord) -> dict[str, Any]:
    """A record without priority as EXPECTED writes it."""
    assert record.priority is None
    return {"type": record.type, "host": record.host, "value": record.value, "ttl": record.ttl}


def aim_at(runtime: Runtime, knot: KnotServer) -> None:
    """Point the domain checks at the local authoritative server (never the system one)."""
    runtime.domains.records_job.probe_ctx = ProbeContext(
        policy=TargetPolicy(allow_private=True), resolver=knot.address, clock=runtime.clock
    )


async def run_checks(runtime: Runtime, seconds: float) -> int:
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(seconds)
    return await JobRunner(
        runtime.db, runtime.clock, runtime.domains.records_job, "test-worker"
    ).run_once()


async def event_rows(runtime: Runtime) -> list[Any]:
    async with runtime.db.connect() as conn:
        return list((await conn.execute(sa.select(events).order_by(events.c.created_at))).all())


async def delivered(runtime: Runtime, receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    receiver.received.clear()
    await worker(runtime).run_once()
    bodies = []
    for request in receiver.requests():
        webhooks.verify(secret, request.headers, request.body, format="entri", tolerance=10**9)
        bodies.append(orjson.loads(request.body))
    return bodies


async def test_records_missing_changed_and_restored_end_to_end(
    runtime: Runtime,
    account: CreatedKey,
    knot_factory: Callable[..., KnotServer],
    webhook_receiver: Receiver,
) -> None:
    knot = knot_factory([Zone(ZONE, RECORDS)])
    aim_at(runtime, knot)
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url(), format="entri")
    domain = await runtime.domains.create(
        account.account_sid,
        {"domain": "shop.test", "user_id": "customer-42", "dnsRecords": EXPECTED},
    )
    assert (domain.state, domain.status) == ("pending", "active")

    assert await run_checks(runtime, 11) == 1
    ok = await runtime.domains.get(account.account_sid, "shop.test")
    assert (ok.state, ok.non_propagated) == ("ok", ())
    assert await event_rows(runtime) == []

    # The customer points www elsewhere and deletes the apex A record.
    knot.serve(Zone(ZONE, 'www CNAME competitor.example.org.\n@ TXT "v=spf1 -all"\n'))
    assert await run_checks(runtime, 3600) == 1
    [missing] = await delivered(runtime, webhook_receiver, hook.secret)
    [event] = await event_rows(runtime)
    assert missing["id"].replace("-", "") == event.sid[2:]
    assert missing["user_id"] == "customer-42"
    assert missing["domain"] == "shop.test"
    assert missing["subdomain"] == ""
    assert missing["type"] == "domain.record_missing"
    assert missing["data"] == {
        "records_propagated": [{"type": "TXT", "host": "@", "value": "v=spf1 -all"}],
        "records_non_propagated": [
            {"type": "CNAME", "host": "www", "value": "app.example.net"},
            {"type": "A", "host": "@", "value": "192.0.2.10"},
        ],
    }
    assert event.payload["newly_missing"][0]["found"] == ["competitor.example.org"]
    assert event.payload["newly_missing"][1]["found"] == []
    assert "CNAME www.shop.test should be app.example.net" in event.description
    shown = await runtime.domains.get(account.account_sid, domain.sid)
    assert shown.state == "missing" and len(shown.non_propagated) == 2

    # Nothing changes: no repeat.
    assert await run_checks(runtime, 3600) == 1
    assert len(await event_rows(runtime)) == 1

    # One of the two comes back: still not restored (002: only when ALL are back).
    knot.serve(Zone(ZONE, 'www CNAME app.example.net.\n@ TXT "v=spf1 -all"\n'))
    assert await run_checks(runtime, 3600) == 1
    assert len(await event_rows(runtime)) == 1

    # Then the TXT record changes too: a new record is missing, so it is announced.
    knot.serve(Zone(ZONE, 'www CNAME app.example.net.\n@ TXT "v=spf1 ~all"\n'))
    assert await run_checks(runtime, 3600) == 1
    [second] = await delivered(runtime, webhook_receiver, hook.secret)
    assert second["type"] == "domain.record_missing"
    assert second["data"]["records_non_propagated"] == [
        {"type": "A", "host": "@", "value": "192.0.2.10"},
        {"type": "TXT", "host": "@", "value": "v=spf1 -all"},
    ]

    knot.serve(Zone(ZONE, RECORDS))
    assert await run_checks(runtime, 3600) == 1
    [restored] = await delivered(runtime, webhook_receiver, hook.secret)
    assert restored["type"] == "domain.record_restored"
    assert (restored["user_id"], restored["domain"], restored["subdomain"]) == (
        "customer-42",
        "shop.test",
        "",
    )
    assert restored["data"] == {
        "records_propagated": [
            {"type": "CNAME", "host": "www", "value": "app.example.net"},
            {"type": "A", "host": "@", "value": "192.0.2.10"},
            {"type": "TXT", "host": "@", "value": "v=spf1 -all"},
        ],
        "records_non_propagated": [],
    }
    final = await runtime.domains.get(account.account_sid, "shop.test")
    assert final.state == "ok" and final.last_error is None


async def test_a_silent_resolver_is_an_error_not_a_missing_record(
    runtime: Runtime, account: CreatedKey, knot_factory: Callable[..., KnotServer]
) -> None:
    knot = knot_factory([Zone(ZONE, RECORDS)])
    aim_at(runtime, knot)
    await runtime.domains.create(
        account.account_sid, {"domain": "shop.test", "records": EXPECTED[:1]}
    )
    knot.stop()
    assert await run_checks(runtime, 11) == 1
    shown = await runtime.domains.get(account.account_sid, "shop.test")
    assert shown.state == "error" and shown.last_error
    assert await event_rows(runtime) == []
    # Retried within minutes, not after the hourly interval.
    assert shown.next_check_at == datetime.fromisoformat("2026-11-24T12:05:11Z")


async def test_the_account_interval_schedules_the_checks(
    runtime: Runtime, account: CreatedKey, knot_factory: Callable[..., KnotServer]
) -> None:
    knot = knot_factory([Zone(ZONE, RECORDS)])
    aim_at(runtime, knot)
    assert (await runtime.domains.get_settings(account.account_sid)).check_interval_seconds == 3600
    await runtime.domains.create(account.account_sid, {"domain": "shop.test", "records": EXPECTED})
    assert await run_checks(runtime, 11) == 1
    assert await run_checks(runtime, 3590) == 0
    assert await run_checks(runtime, 10) == 1
    await runtime.domains.update_settings(
        account.account_sid, {"check_interval": 600}, min_interval=60
    )
    assert await run_checks(runtime, 601) == 1
    assert await run_checks(runtime, 601) == 1
    with pytest.raises(ValidationError):
        await runtime.domains.update_settings(
            account.account_sid, {"check_interval": 60}, min_interval=300
        )


async def test_domain_expiring_end_to_end(
    runtime: Runtime,
    account: CreatedKey,
    rdap_server: RdapServer,
    webhook_receiver: Receiver,
    tmp_path: Path,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=20, hours=2))
    runtime.domains.expiry_job.defaults = runtime.settings.model_copy(
        update={"rdap_bootstrap_file": rdap_server.bootstrap(tmp_path, ["test"])}
    )
    runtime.domains.expiry_job.probe_ctx = ProbeContext(
        policy=TargetPolicy(allow_private=True), clock=clock
    )
    hook = await subscribe(runtime, account.account_sid, webhook_receiver.url())
    created = await runtime.domains.create(
        account.account_sid, {"domain": "shop.test", "user_id": "customer-42"}
    )
    expiry = JobRunner(runtime.db, runtime.clock, runtime.domains.expiry_job, "test-worker")
    clock.advance(11)
    assert await expiry.run_once() == 1
    await worker(runtime).run_once()
    [request] = webhook_receiver.requests()
    body = webhooks.verify(hook.secret, request.headers, request.body, tolerance=10**9)
    assert body["type"] == "domain.expiring"
    assert body["data"] == {
        "domain": "shop.test",
        "subdomain": "",
        "user_id": "customer-42",
        "domain_sid": created.sid,
        "expires_at": "2026-12-14T14:00:00Z",
        "days_left": 20,
        "threshold": 30,
        "expired": False,
        "registrar": "Example Registrar, Inc.",
        "rdap_server": rdap_server.url,
    }
    shown = await runtime.domains.get(account.account_sid, "shop.test")
    assert shown.expiry is not None and shown.expiry.status == "expiring"
    assert shown.expiry.expires_at == datetime.fromisoformat("2026-12-14T14:00:00Z")
    assert shown.expiry.registrar == "Example Registrar, Inc."

    clock.advance(86400)  # daily: checked again, same bracket, no repeat
    assert await expiry.run_once() == 1
    assert len(await event_rows(runtime)) == 1
    clock.advance(86400 * 6)
    assert await expiry.run_once() == 1
    [_, fourteen] = await event_rows(runtime)
    assert (fourteen.payload["threshold"], fourteen.payload["days_left"]) == (14, 13)

    # Renewed for a year: the watch resets quietly.
    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=365))
    clock.advance(86400)
    assert await expiry.run_once() == 1
    assert len(await event_rows(runtime)) == 2
    watch = (await runtime.domains.get(account.account_sid, "shop.test")).expiry
    assert watch is not None and watch.status == "ok"


async def test_a_tld_without_rdap_shows_unknown(
    runtime: Runtime, account: CreatedKey, rdap_server: RdapServer, tmp_path: Path
) -> None:
    runtime.domains.expiry_job.defaults = runtime.settings.model_copy(
        update={"rdap_bootstrap_file": rdap_server.bootstrap(tmp_path, ["test"])}
    )
    await runtime.domains.create(account.account_sid, {"domain": "shop.nordap"})
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(11)
    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.domains.expiry_job, "w").run_once() == 1
    )
    expiry = (await runtime.domains.get(account.account_sid, "shop.nordap")).expiry
    assert expiry is not None and expiry.status == "unknown"
    assert expiry.error == "the registry of .nordap has no RDAP service (IANA bootstrap data)"


async def test_a_batch_of_100_domains_is_processed_from_the_table(
    runtime: Runtime, account: CreatedKey
) -> None:
    service = runtime.domains
    await service.create(account.account_sid, {"domain": "taken.test"})
    items: list[dict[str, Any]] = [
        {"domain": f"d{i:03d}.test", "user_id": f"u{i}", "dnsRecords": EXPECTED[:1]}
        for i in range(99)
    ]
    items.append({"domain": "taken.test"})
    batch = await service.create_batch(account.account_sid, {"domains": items})
    assert batch.status == "pending" and batch.sid.startswith("BR")
    pending = await service.batch_status(account.account_sid, batch.sid)
    assert (len(pending.results), pending.total) == (0, 100)

    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "w").run_once() == 1
    )
    status = await service.batch_status(account.account_sid, batch.sid)
    assert (status.status, len(status.results), status.succeeded, len(status.failed)) == (
        "completed",
        100,
        99,
        1,
    )
    assert [(r.domain, r.error) for r in status.failed] == [
        ("taken.test", status.results[99].error)
    ]
    assert "already monitored" in (status.failed[0].error or "")
    assert (
        await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "w").run_once() == 0
    )  # done for good

    page = await service.list_domains(account.account_sid, offset=90, limit=25)
    assert page.total == 100 and len(page.domains) == 10
    d007 = await service.get(account.account_sid, "d007.test")
    assert d007.user_id == "u7" and [_shown(r) for r in d007.records] == [EXPECTED[0]]

    with pytest.raises(ValidationError) as too_many:
        await service.create_batch(account.account_sid, {"domains": items + items[:1]})
    assert too_many.value.details[0]["field"] == "domains"
    with pytest.raises(ValidationError) as bad:
        await service.create_batch(account.account_sid, {"domains": [{"domain": "x.test"}, {}]})
    assert bad.value.details[0]["field"] == "domains.1.domain"


async def test_date_filters_and_record_crud(runtime: Runtime, account: CreatedKey) -> None:
    service = runtime.domains
    assert isinstance(runtime.clock, FrozenClock)
    await service.create(account.account_sid, {"domain": "first.test"})
    runtime.clock.advance(86400 * 2)
    sid = (await service.create(account.account_sid, {"domain": "second.test"})).sid
    on_day = await service.list_domains(
        account.account_sid, from_date="2026-11-26", to_date="2026-11-26"
    )
    assert [d.domain for d in on_day.domains] == ["second.test"]
    before = await service.list_domains(account.account_sid, to_date="2026-11-25")
    assert [d.domain for d in before.domains] == ["first.test"]

    records = await service.add_records(account.account_sid, sid, {"dnsRecords": EXPECTED})
    assert [_shown(r) for r in records] == EXPECTED
    again = await service.add_records(account.account_sid, sid, {"records": EXPECTED[:1]})
    assert len(again) == 3  # the same record twice is one record
    left = await service.delete_records(
        account.account_sid, "second.test", {"records": [{"type": "A", "value": "192.0.2.10"}]}
    )
    assert [r.type for r in left] == ["CNAME", "TXT"]
    with pytest.raises(NotFoundError):
        await service.delete_records(
            account.account_sid, sid, {"records": [{"type": "A", "value": "192.0.2.99"}]}
        )
    replaced = await service.replace_records(
        account.account_sid,
        sid,
        {"records": [{"type": "mx", "value": "mail.example.net", "priority": 10}]},
    )
    assert replaced == [
        DnsRecord(type="MX", host="@", value="mail.example.net", ttl=3600, priority="10")
    ]
    with pytest.raises(ConflictError):
        await service.create(account.account_sid, {"domain": "SECOND.test."})
    paused = await service.update(account.account_sid, sid, {"paused": True, "user_id": "u-9"})
    assert (paused.status, paused.user_id) == ("paused", "u-9")
    await service.delete(account.account_sid, sid)
    with pytest.raises(NotFoundError):
        await service.get(account.account_sid, sid)


async def test_a_check_whose_lease_was_lost_writes_nothing(
    runtime: Runtime, account: CreatedKey, knot_factory: Callable[..., KnotServer]
) -> None:
    from watchwire.store.tables_domains import monitored_domains

    knot = knot_factory([Zone(ZONE, "")])
    aim_at(runtime, knot)
    created = await runtime.domains.create(
        account.account_sid, {"domain": "shop.test", "records": EXPECTED}
    )
    async with runtime.db.connect() as conn:
        row = (
            await conn.execute(
                sa.select(monitored_domains).where(monitored_domains.c.sid == created.sid)
            )
        ).one()
    # Another worker holds the lease (or it expired and moved on): this result is discarded.
    with pytest.raises(LeaseLost):
        await runtime.domains.records_job.run(row, "stalled-worker")
    assert await event_rows(runtime) == []
    assert (await runtime.domains.get(account.account_sid, "shop.test")).state == "pending"
