"""Contacts and contact groups on SQLite and PostgreSQL: the confirmation flow, pause and
resume, one default group, members — and real emails through the outbox and the delivery
worker, read back from aiosmtpd."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.servers.notification_servers import MailSink, mail_sink
from watchwire.background import delivery_worker
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.delivery import channels
from watchwire.delivery.channels import ChannelContext, ContactTarget, SmtpSettings
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.events.event import Event
from watchwire.events.store import record_event
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.contact_groups import ContactGroupService
from watchwire.services.contacts import Contact, ContactService, resolve_groups
from watchwire.store.database import Database
from watchwire.store.tables import events
from watchwire.store.tables_contacts import contacts as contacts_table
from watchwire.store.tables_webhooks import deliveries

__all__ = ["mail_sink"]


@pytest.fixture
def service(runtime: Runtime) -> ContactService:
    return runtime.contacts


@pytest.fixture
def groups(runtime: Runtime) -> ContactGroupService:
    return runtime.contact_groups


@pytest.fixture
def acct(account: CreatedKey) -> str:
    return account.account_sid


async def confirm_events(runtime: Runtime, contact_sid: str) -> list[Event]:
    async with runtime.db.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(events)
                .where(events.c.resource_sid == contact_sid, events.c.type == "contact.confirm")
                .order_by(events.c.created_at)
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
            contact_groups=r.contact_groups,
        )
        for r in rows
    ]


async def latest_code(runtime: Runtime, contact_sid: str) -> str:
    return str((await confirm_events(runtime, contact_sid))[-1].payload["authcode"])


async def new_email_contact(service: ContactService, acct: str, **kwargs: Any) -> Contact:
    return await service.create_contact(acct, type="email", contact="ops@example.com", **kwargs)


async def test_a_new_contact_is_pending_and_sent_a_six_character_code(
    runtime: Runtime, service: ContactService, acct: str
) -> None:
    created = await new_email_contact(service, acct, name="On-call")

    assert created.status == "pending"
    assert created.name == "On-call"
    assert created.value == "ops@example.com"
    assert created.confirmed is False
    [event] = await confirm_events(runtime, created.sid)
    assert event.payload["authcode"] not in repr(created)
    assert event.resource_type == "contact"
    assert event.account_sid == acct
    assert event.contact_groups == []  # addressed to the contact alone, not to its groups
    assert re.fullmatch(r"[A-Za-z0-9]{6}", event.payload["authcode"])


async def test_the_right_code_activates_the_contact_and_a_wrong_one_does_not(
    runtime: Runtime, service: ContactService, acct: str, clock: FrozenClock
) -> None:
    created = await new_email_contact(service, acct)
    code = await latest_code(runtime, created.sid)
    wrong = code[:-1] + ("a" if code[-1] != "a" else "b")

    with pytest.raises(ValidationError) as refused:
        await service.confirm_contact(acct, created.sid, wrong)
    assert refused.value.details[0]["field"] == "authcode"
    assert (await service.get_contact(acct, created.sid)).status == "pending"

    clock.advance(60)
    confirmed = await service.confirm_contact(acct, created.sid, code)
    assert confirmed.status == "active"
    assert confirmed.confirmed_at == datetime(2026, 11, 24, 12, 1, tzinfo=UTC)
    with pytest.raises(ConflictError):
        await service.confirm_contact(acct, created.sid, code)


async def test_resend_issues_a_new_code_and_the_old_one_stops_working(
    runtime: Runtime, service: ContactService, acct: str, clock: FrozenClock
) -> None:
    created = await new_email_contact(service, acct)
    first = await latest_code(runtime, created.sid)
    clock.advance(1)
    await service.resend_confirmation(acct, created.sid)
    sent = await confirm_events(runtime, created.sid)
    assert len(sent) == 2
    second = str(sent[-1].payload["authcode"])
    if second != first:  # one chance in 56 billion that they are equal
        with pytest.raises(ValidationError):
            await service.confirm_contact(acct, created.sid, first)
    assert (await service.confirm_contact(acct, created.sid, second)).status == "active"
    with pytest.raises(ConflictError):
        await service.resend_confirmation(acct, created.sid)


async def test_pause_and_resume(runtime: Runtime, service: ContactService, acct: str) -> None:
    created = await new_email_contact(service, acct)
    sid = created.sid
    with pytest.raises(ConflictError):  # pending cannot be resumed into active
        await service.resume_contact(acct, sid)
    assert (await service.pause_contact(acct, sid)).status == "paused"
    assert (await service.resume_contact(acct, sid)).status == "pending"

    await service.confirm_contact(acct, sid, await latest_code(runtime, sid))
    assert (await service.pause_contact(acct, sid)).status == "paused"
    assert (await service.resume_contact(acct, sid)).status == "active"


async def test_a_test_goes_to_an_active_contact_alone(
    runtime: Runtime, service: ContactService, acct: str
) -> None:
    created = await new_email_contact(service, acct)
    other = await service.create_contact(acct, type="email", contact="else@example.com")
    for sid in (created.sid, other.sid):
        await service.confirm_contact(acct, sid, await latest_code(runtime, sid))
    await service.pause_contact(acct, other.sid)
    with pytest.raises(ConflictError):
        await service.send_test(acct, other.sid)
    event_sid = await service.send_test(acct, created.sid)
    async with runtime.db.connect() as conn:
        targets = (
            await conn.execute(
                sa.select(deliveries.c.target_type, deliveries.c.target_sid).where(
                    deliveries.c.event_sid == event_sid
                )
            )
        ).all()
    assert [tuple(t) for t in targets] == [("contact", created.sid)]


async def test_a_new_destination_needs_a_new_confirmation(
    runtime: Runtime, service: ContactService, acct: str, clock: FrozenClock
) -> None:
    created = await new_email_contact(service, acct)
    sid = created.sid
    await service.confirm_contact(acct, sid, await latest_code(runtime, sid))

    renamed = await service.update_contact(acct, sid, name="Ops team", schedule="while_listed")
    assert renamed.status == "active"
    assert renamed.schedule == "while_listed"
    assert len(await confirm_events(runtime, sid)) == 1

    clock.advance(1)
    moved = await service.update_contact(acct, sid, contact="noc@example.com")
    assert moved.status == "pending"
    assert moved.value == "noc@example.com"
    assert moved.schedule == "while_listed"
    assert len(await confirm_events(runtime, sid)) == 2


async def test_bad_contacts_are_refused_before_anything_is_stored(
    runtime: Runtime, service: ContactService, acct: str
) -> None:
    with pytest.raises(ValidationError):
        await service.create_contact(acct, type="email", contact="not-an-address")
    with pytest.raises(ValidationError):
        await service.create_contact(acct, type="email", contact="a@b.co", schedule="hourly")
    with pytest.raises(ValidationError):
        await service.create_contact(acct, type="aws-cloudwatch", contact="metric")
    async with runtime.db.connect() as conn:
        count = (
            await conn.execute(sa.select(sa.func.count()).select_from(contacts_table))
        ).scalar()
    assert count == 0


async def test_one_default_group_and_new_contacts_join_it(
    runtime: Runtime, service: ContactService, groups: ContactGroupService, acct: str
) -> None:
    first = await groups.create_group(acct, name="Primary", is_default=True)
    second = await groups.create_group(acct, name="Night shift", is_default=True)

    assert (await groups.get_group(acct, first.sid)).is_default is False
    assert (await groups.get_group(acct, second.sid)).is_default is True
    joined = await new_email_contact(service, acct)
    assert joined.contact_groups == (second.sid,)
    alone = await service.create_contact(
        acct, type="email", contact="x@example.com", contact_groups=[]
    )
    assert alone.contact_groups == ()

    await groups.update_group(acct, first.sid, is_default=True)
    listed = (await groups.list_groups(acct, _page())).items
    assert {g.sid: g.is_default for g in listed} == {first.sid: True, second.sid: False}
    async with runtime.db.connect() as conn:
        assert await resolve_groups(conn, acct, None) == [first.sid]


async def test_group_members_follow_contacts_and_groups(
    service: ContactService, groups: ContactGroupService, acct: str
) -> None:
    group = await groups.create_group(acct, name="Ops")
    a = await service.create_contact(
        acct, type="email", contact="a@example.com", contact_groups=[group.sid]
    )
    b = await service.create_contact(acct, type="email", contact="b@example.com", contact_groups=[])
    assert (await groups.get_group(acct, group.sid)).contacts == (a.sid,)

    updated = await groups.update_group(acct, group.sid, contacts=[a.sid, b.sid])
    assert sorted(updated.contacts) == sorted([a.sid, b.sid])
    assert (await service.get_contact(acct, b.sid)).contact_groups == (group.sid,)

    await service.delete_contact(acct, a.sid)
    assert (await groups.get_group(acct, group.sid)).contacts == (b.sid,)
    await groups.delete_group(acct, group.sid)
    assert (await service.get_contact(acct, b.sid)).contact_groups == ()
    with pytest.raises(NotFoundError):
        await groups.get_group(acct, group.sid)


async def test_another_accounts_groups_and_contacts_cannot_be_referenced(
    runtime: Runtime, service: ContactService, groups: ContactGroupService, acct: str
) -> None:
    other = (await runtime.accounts.create_account("other")).account_sid
    foreign_group = await groups.create_group(other, name="Theirs")
    foreign_contact = await service.create_contact(other, type="email", contact="t@example.com")

    with pytest.raises(ValidationError) as refused:
        await new_email_contact(service, acct, contact_groups=[foreign_group.sid])
    assert refused.value.details[0]["field"] == "contact_groups[0]"
    with pytest.raises(ValidationError) as refused:
        await groups.create_group(acct, name="Mine", contacts=[foreign_contact.sid])
    assert refused.value.details[0]["field"] == "contacts[0]"
    with pytest.raises(NotFoundError):
        await service.get_contact(acct, foreign_contact.sid)
    with pytest.raises(NotFoundError):
        await service.pause_contact(acct, foreign_contact.sid)
    assert (await service.list_contacts(acct, _page())).total == 0


async def test_confirmation_email_round_trip(
    runtime: Runtime, service: ContactService, acct: str, mail_sink: MailSink
) -> None:
    """The code recorded for the outbox, sent by the email channel, received by a real SMTP
    server and typed back in, activates the contact."""
    created = await service.create_contact(acct, type="email", contact="new@example.com")
    [event] = await confirm_events(runtime, created.sid)
    async with runtime.db.connect() as conn:
        row = (
            await conn.execute(sa.select(contacts_table).where(contacts_table.c.sid == created.sid))
        ).one()
    target = ContactTarget(sid=row.sid, type=row.type, args=row.args, name=row.name)
    ctx = ChannelContext(smtp=SmtpSettings(host=mail_sink.host, port=mail_sink.port))

    await channels.send(target, event, ctx)

    [mail] = mail_sink.to("new@example.com")
    code = re.search(r"code is ([A-Za-z0-9]{6})", mail.get_payload(decode=True).decode())
    assert code is not None
    assert (await service.confirm_contact(acct, created.sid, code.group(1))).status == "active"


def _page() -> Any:
    from watchwire.pagination import PageRequest

    return PageRequest(page=1, per_page=100)


async def test_a_webhook_url_never_leaks_into_names_or_events(
    runtime: Runtime, service: ContactService, acct: str
) -> None:
    url = "https://hooks.slack.com/services/T0001/B0002/SECRETSECRET"
    created = await service.create_contact(acct, type="slack", contact=url)

    assert created.name == "hooks.slack.com"
    assert created.value == url  # the owner still sees what they configured
    [event] = await confirm_events(runtime, created.sid)
    assert "SECRETSECRET" not in event.description + str(event.payload)


async def test_confirmation_and_alert_emails_go_out_through_the_outbox(
    database: Database, settings: Settings, clock: FrozenClock, mail_sink: MailSink
) -> None:
    """The whole path: create → outbox → delivery worker → email channel → aiosmtpd; confirm
    with the received code; a monitor event for the contact's group reaches it as an alert,
    and a paused contact gets nothing."""
    wired = settings.model_copy(update={"smtp_host": mail_sink.host, "smtp_port": mail_sink.port})
    runtime = Runtime.build(wired, db=database, clock=clock)
    acct = (await runtime.accounts.create_account("acme")).account_sid
    worker = delivery_worker(runtime)
    group = await runtime.contact_groups.create_group(acct, name="Ops", is_default=True)
    created = await runtime.contacts.create_contact(acct, type="email", contact="ops@example.com")

    assert await worker.run_once() == 1
    [mail] = mail_sink.to("ops@example.com")
    code = re.search(r"code is ([A-Za-z0-9]{6})", mail.get_payload(decode=True).decode())
    assert code is not None
    await runtime.contacts.confirm_contact(acct, created.sid, code.group(1))

    async def monitor_down() -> None:
        clock.advance(60)
        async with database.transaction() as conn:
            await record_event(
                conn,
                account_sid=acct,
                type="monitor.down",
                description="https://shop.example.com is down",
                payload={"name": "Shop"},
                now=clock.now(),
                resource_type="monitor",
                resource_sid="MO" + "7" * 32,
                contact_groups=[group.sid],
            )

    await monitor_down()
    assert await worker.run_once() == 1
    alert = mail_sink.to("ops@example.com")[-1]
    assert alert["Subject"] == "DOWN: Shop"

    await runtime.contacts.pause_contact(acct, created.sid)
    await monitor_down()
    assert await worker.run_once() == 0
    assert len(mail_sink.to("ops@example.com")) == 2
