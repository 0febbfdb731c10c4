"""Certificate monitors end to end, on SQLite and PostgreSQL: a real TLS server whose
certificate is swapped (renewal, unrelated change, new error, error resolved, unreachable),
checked through the scheduled job's own path (JobRunner + the service's job), and every event's
payload checked field by field, also as 003's webhook body (generatorlabs format)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import trustme

from tests.delivery.helpers import subscribe, worker
from tests.servers.mail_servers import smtp_server
from tests.servers.plain_tls import Endpoint, starttls_ca, starttls_cert
from tests.servers.swappable_tls import SwappableTls, cert_pki, swappable_tls_server
from tests.servers.tls_servers import DAY, NOW, Case, Issued, Pki, build_cert, write_pem
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire import webhooks
from watchwire.clock import FrozenClock, isoformat
from watchwire.config import Settings
from watchwire.delivery.formats import FORMATS
from watchwire.engine.evaluate_certs import expiry_days
from watchwire.engine.jobs import JobRunner
from watchwire.engine.leases import LeaseLost
from watchwire.events.event import Event
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.certificate import fingerprint_sha256
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.certs.records import CertMonitor
from watchwire.services.certs.service import CertService
from watchwire.store.tables import events
from watchwire.store.tables_certs import cert_monitors
from watchwire.target_policy import TargetPolicy

__all__ = [
    "cert_pki",
    "smtp_server",
    "starttls_ca",
    "starttls_cert",
    "swappable_tls_server",
    "webhook_receiver",
]

HOUR = 3600


@pytest.fixture
def clock() -> FrozenClock:
    # The certificates are dated from the real now: judge them against it.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(tmp_path: Path, cert_pki: Pki) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-hashing-key",
        allow_private_targets=True,
        ca_file=write_pem(tmp_path / "root.pem", cert_pki.root),
    )


def fingerprint(leaf: Issued) -> str:
    return fingerprint_sha256(leaf.cert)


def days_of(leaf: Issued, clock: FrozenClock) -> int:
    return expiry_days(leaf.cert.not_valid_after_utc, clock.now())


async def new_monitor(
    runtime: Runtime, account: CreatedKey, server: SwappableTls, **extra: Any
) -> CertMonitor:
    body = {"hostname": server.host, "protocol": "https", "port": server.port, **extra}
    return await runtime.certs.create_monitor(account.account_sid, {"name": "shop", **body})


async def run_due(runtime: Runtime, clock: FrozenClock, seconds: float) -> int:
    """Let `seconds` pass and run what is due through the job's runner."""
    clock.advance(seconds)
    return await JobRunner(runtime.db, runtime.clock, runtime.certs.job, "test-worker").run_once()


async def events_of(runtime: Runtime, sid: str) -> list[Event]:
    async with runtime.db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(events).where(events.c.resource_sid == sid).order_by(events.c.created_at)
            )
        ).all()
    return [
        Event(
            sid=r.sid,
            account_sid=r.account_sid,
            type=r.type,
            description=r.description,
            payload=r.payload,
            created_at=r.created_at,
            resource_type=r.resource_type,
            resource_sid=r.resource_sid,
            contact_groups=list(r.contact_groups),
        )
        for r in rows
    ]


def check_monitor_object(payload: dict[str, Any], monitor: CertMonitor) -> None:
    assert payload["monitor"] == {
        "id": monitor.sid,
        "sid": monitor.sid,
        "name": "shop",
        "hostname": "127.0.0.1",
        "protocol": "https",
        "port": monitor.port,
        "profile": monitor.profile_sid,
        "contact_groups": [],
        "tags": [],
        "status": "active",
    }


def check_webhook_body(event: Event) -> None:
    body = FORMATS["generatorlabs"](event)
    assert body["event_sid"] == event.sid and body["event_sid"].startswith("TA")
    assert body["event_type"] == event.type
    assert datetime.fromisoformat(body["event_date"]).utcoffset() is not None
    for key, value in event.payload.items():
        assert body[key] == value


def leaf_case(pki: Pki, **kwargs: Any) -> Case:
    return pki.case(pki.leaf(names=("localhost", "127.0.0.1"), **kwargs))


async def test_expiring_certificate_triggers_then_renewal_resolves(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    expiring = leaf_case(cert_pki, not_after=NOW + 10 * DAY)
    server = await swappable_tls_server(expiring)
    monitor = await new_monitor(runtime, account, server)
    assert await run_due(runtime, clock, 11) == 1

    [trigger] = await events_of(runtime, monitor.sid)
    assert trigger.type == "cert.expiration.trigger"
    assert set(trigger.payload) == {"monitor", "expiry_days"}
    check_monitor_object(trigger.payload, monitor)
    assert trigger.payload["expiry_days"] == days_of(expiring.leaf, clock) in (9, 10)
    check_webhook_body(trigger)
    state = await runtime.certs.get_monitor(account.account_sid, monitor.sid)
    assert state.expiry_bracket == 14
    assert state.certificate is not None
    assert state.certificate["fingerprint_sha256"] == fingerprint(expiring.leaf)

    # Six hours on, same certificate, same bracket: nothing new.
    assert await run_due(runtime, clock, 6 * HOUR) == 1
    assert len(await events_of(runtime, monitor.sid)) == 1

    renewed = leaf_case(cert_pki, not_after=NOW + 90 * DAY)
    server.present(renewed)
    assert await run_due(runtime, clock, 6 * HOUR) == 1
    _, resolve = await events_of(runtime, monitor.sid)
    assert resolve.type == "cert.expiration.resolve"
    assert set(resolve.payload) == {"monitor", "expiry_days"}
    check_monitor_object(resolve.payload, monitor)
    assert resolve.payload["expiry_days"] == days_of(renewed.leaf, clock)
    assert 88 <= resolve.payload["expiry_days"] <= 90
    check_webhook_body(resolve)
    state = await runtime.certs.get_monitor(account.account_sid, monitor.sid)
    assert state.expiry_bracket is None


async def test_lower_brackets_and_expiry_each_trigger_once(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    case = leaf_case(cert_pki, not_after=NOW + 20 * DAY)
    server = await swappable_tls_server(case)
    monitor = await new_monitor(runtime, account, server, interval=86_400)
    await run_due(runtime, clock, 11)
    for _ in range(22):  # a day at a time, past the expiry
        await run_due(runtime, clock, 86_400)
    triggers = [
        e.payload["expiry_days"]
        for e in await events_of(runtime, monitor.sid)
        if e.type == "cert.expiration.trigger"
    ]
    # Brackets 30 (first seen at 19-20 days), 14, 7, then expired (negative days).
    assert len(triggers) == 4
    assert triggers[0] in (19, 20) and triggers[1] == 14 and triggers[2] == 7
    assert triggers[3] == -1


async def test_unrelated_change_sends_cert_changed(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    first = leaf_case(cert_pki)
    server = await swappable_tls_server(first)
    monitor = await new_monitor(runtime, account, server)
    await run_due(runtime, clock, 11)
    assert await events_of(runtime, monitor.sid) == []  # a first sighting is no change

    other = leaf_case(Pki())  # another CA: a different issuer and key
    server.present(Case(chain=other.chain, root=cert_pki.root))
    await run_due(runtime, clock, 6 * HOUR)
    found = await events_of(runtime, monitor.sid)
    changed = [e for e in found if e.type == "cert.changed"]
    assert len(changed) == 1
    assert set(changed[0].payload) == {"monitor", "previous_fingerprint", "new_fingerprint"}
    check_monitor_object(changed[0].payload, monitor)
    assert changed[0].payload["previous_fingerprint"] == fingerprint(first.leaf)
    assert changed[0].payload["new_fingerprint"] == fingerprint(other.leaf)
    assert changed[0].payload["new_fingerprint"].startswith("SHA256:")
    check_webhook_body(changed[0])
    # The new CA is not trusted: that is a new error too.
    assert [e.type for e in found] == ["cert.changed", "cert.error.trigger"]


async def test_new_error_triggers_and_fix_resolves(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    good = leaf_case(cert_pki)
    server = await swappable_tls_server(good)
    monitor = await new_monitor(runtime, account, server)
    sid = monitor.sid
    await run_due(runtime, clock, 11)

    server.present(cert_pki.case(cert_pki.leaf(names=("other.example",))))
    await run_due(runtime, clock, 6 * HOUR)
    found = await events_of(runtime, sid)
    assert [e.type for e in found] == ["cert.changed", "cert.error.trigger"]
    trigger = found[1]
    assert set(trigger.payload) == {"monitor", "errors", "current_errors"}
    check_monitor_object(trigger.payload, monitor)
    [error] = trigger.payload["errors"]
    assert trigger.payload["current_errors"] == [error]
    assert error["id"].startswith("CE") and len(error["id"]) == 34
    assert error["monitor"] == sid and error["monitor_name"] == "shop"
    assert error["hostname"] == "127.0.0.1" and error["protocol"] == "https"
    assert error["error_type"] == "name_mismatch" and error["code"] == "name_mismatch"
    assert error["severity"] == "error"
    assert "127.0.0.1" in error["message"]
    assert error["first_seen"] == error["last_seen"] == isoformat(clock.now())
    check_webhook_body(trigger)
    listed = await runtime.certs.list_errors(account.account_sid, _page())
    assert [e.sid for e in listed.items] == [error["id"]]
    assert await runtime.certs.count_errors(account.account_sid) == 1

    # A second error joins the first: only it is new; both are current.
    server.present(Case(chain=(_self_signed_mismatch(),), root=cert_pki.root))
    await run_due(runtime, clock, 6 * HOUR)
    second = (await events_of(runtime, sid))[-1]
    assert second.type == "cert.error.trigger"
    assert [e["code"] for e in second.payload["errors"]] == ["self_signed"]
    assert {e["code"] for e in second.payload["current_errors"]} == {"self_signed", "name_mismatch"}
    kept = next(e for e in second.payload["current_errors"] if e["code"] == "name_mismatch")
    assert kept["id"] == error["id"] and kept["first_seen"] == error["first_seen"]
    active = {
        e.code: e for e in (await runtime.certs.list_errors(account.account_sid, _page())).items
    }
    assert isoformat(active["name_mismatch"].first_seen) == error["first_seen"]
    last_seen = isoformat(active["name_mismatch"].last_seen)
    assert last_seen == isoformat(clock.now()) != error["last_seen"]
    assert active["self_signed"].error_type == "ca_failure"

    server.present(leaf_case(cert_pki))
    await run_due(runtime, clock, 6 * HOUR)
    resolve = (await events_of(runtime, sid))[-1]
    assert resolve.type == "cert.error.resolve"
    assert set(resolve.payload) == {"monitor", "resolved_errors", "current_errors"}
    check_monitor_object(resolve.payload, monitor)
    assert {e["code"] for e in resolve.payload["resolved_errors"]} == {
        "self_signed",
        "name_mismatch",
    }
    assert resolve.payload["current_errors"] == []
    check_webhook_body(resolve)
    assert (await runtime.certs.list_errors(account.account_sid, _page())).items == []


async def test_unreachable_server_is_a_connection_error_and_keeps_certificate_errors(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    server = await swappable_tls_server(cert_pki.case(cert_pki.leaf(names=("other.example",))))
    monitor = await new_monitor(runtime, account, server)
    await run_due(runtime, clock, 11)
    await server.stop()
    await run_due(runtime, clock, 6 * HOUR)
    last = (await events_of(runtime, monitor.sid))[-1]
    assert last.type == "cert.error.trigger"
    assert [e["error_type"] for e in last.payload["errors"]] == ["connection_failure"]
    assert {e["code"] for e in last.payload["current_errors"]} == {
        "name_mismatch",
        "connection_failed",
    }


async def test_profile_switches_select_what_counts(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    quiet = await runtime.certs.create_profile(
        account.account_sid,
        {"name": "quiet", "alert_on_name_mismatch": False, "alert_on_changes": False},
    )
    server = await swappable_tls_server(leaf_case(cert_pki))
    monitor = await new_monitor(runtime, account, server, profile=quiet.sid)
    await run_due(runtime, clock, 11)
    server.present(cert_pki.case(cert_pki.leaf(names=("other.example",))))
    await run_due(runtime, clock, 6 * HOUR)
    assert await events_of(runtime, monitor.sid) == []


async def test_paused_monitor_is_not_checked_and_lost_lease_discards(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    server = await swappable_tls_server(leaf_case(cert_pki, not_after=NOW + 3 * DAY))
    monitor = await new_monitor(runtime, account, server, paused=True)
    assert await run_due(runtime, clock, 11) == 0
    await runtime.certs.set_paused(account.account_sid, monitor.sid, False)
    # Another worker took the row over while this one was checking: the result is dropped.
    async with runtime.db.connect() as conn:
        row = (
            await conn.execute(sa.select(cert_monitors).where(cert_monitors.c.sid == monitor.sid))
        ).one()
    async with runtime.db.transaction() as conn:
        await conn.execute(cert_monitors.update().values(lease_owner="someone-else"))
    with pytest.raises(LeaseLost):
        await runtime.certs.job.run(row, "test-worker")
    assert await events_of(runtime, monitor.sid) == []
    handshakes = server.handshakes
    assert handshakes >= 1  # it did check; only the write was refused


async def test_check_now_runs_at_once(
    runtime: Runtime,
    account: CreatedKey,
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    leaf = leaf_case(cert_pki, not_after=NOW + 5 * DAY)
    server = await swappable_tls_server(leaf)
    monitor = await new_monitor(runtime, account, server)
    fresh = await runtime.certs.check_now(account.account_sid, monitor.sid)
    assert fresh.expiry_bracket == 7
    assert fresh.last_outcome == "up"
    assert fresh.certificate is not None
    assert fresh.certificate["fingerprint_sha256"] == fingerprint(leaf.leaf)
    [event] = await events_of(runtime, monitor.sid)
    assert event.type == "cert.expiration.trigger"


async def test_an_event_reaches_a_generatorlabs_webhook_and_the_contact_groups(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    cert_pki: Pki,
    swappable_tls_server: Any,
    webhook_receiver: Receiver,
) -> None:
    hook = await subscribe(
        runtime, account.account_sid, webhook_receiver.url(), format="generatorlabs"
    )
    group = await runtime.contact_groups.create_group(account.account_sid, name="ops")
    case = leaf_case(cert_pki, not_after=NOW + 2 * DAY)
    server = await swappable_tls_server(case)
    monitor = await new_monitor(runtime, account, server, contact_groups=[group.sid])
    await run_due(runtime, clock, 11)
    [event] = await events_of(runtime, monitor.sid)
    assert event.contact_groups == [group.sid]
    assert await worker(runtime).run_once() == 1
    [request] = webhook_receiver.requests()
    body = webhooks.verify(hook.secret, request.headers, request.body, format="generatorlabs")
    assert body["event_sid"] == event.sid
    assert body["event_type"] == "cert.expiration.trigger"
    assert body["expiry_days"] == days_of(case.leaf, clock) in (1, 2)
    assert body["monitor"]["id"] == monitor.sid
    assert body["monitor"]["contact_groups"] == [group.sid]
    assert body["description"] == event.description
    assert "expires in" in body["description"]


async def test_a_starttls_protocol_reads_the_certificate_after_the_upgrade(
    runtime: Runtime,
    account: CreatedKey,
    clock: FrozenClock,
    tmp_path: Path,
    starttls_ca: trustme.CA,
    smtp_server: Endpoint,
) -> None:
    roots = tmp_path / "starttls-ca.pem"
    starttls_ca.cert_pem.write_to_path(str(roots))
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=roots)
    certs = CertService(runtime.db, clock, ctx, default_interval=900)
    body = {"hostname": "127.0.0.1", "protocol": "smtp", "port": smtp_server.port}
    monitor = await certs.create_monitor(account.account_sid, body)
    assert monitor.interval_seconds == 900  # the configured default
    fresh = await certs.check_now(account.account_sid, monitor.sid)
    assert fresh.last_outcome == "up", fresh.errors
    # trustme's certificates live for decades: a misconfiguration warning, nothing else.
    assert [(e.code, e.error_type) for e in fresh.errors] == [
        ("validity_too_long", "misconfiguration")
    ]
    assert fresh.expiry_bracket is None
    assert fresh.certificate is not None and "127.0.0.1" in fresh.certificate["sans"]
    explicit = await certs.create_monitor(account.account_sid, {**body, "interval": 3600})
    assert explicit.interval_seconds == 3600


def _page() -> PageRequest:
    return PageRequest(page=1, per_page=100)


def _self_signed_mismatch() -> Issued:
    return build_cert("other.example", names=("other.example",))
