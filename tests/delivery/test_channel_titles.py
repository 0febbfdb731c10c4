"""What an alert says, on every channel, for every family of events: the title names the
thing by the name its owner gave it (`DOWN: Shop`), never by its SID, and the body carries
the event's description and facts.

The payloads are built by the same functions the engine and the services use, so a change
of where a payload keeps its name shows here. Each hand-written channel is exercised against
its local receiver; the Apprise channels all share `AppriseChannel.send`, exercised through
Apprise's json:// service aimed at the local receiver.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from tests.delivery.test_channel_cloudwatch import LogsEndpoint, cloudwatch_contact, logs
from tests.delivery.test_channels import LOOPBACK, LocalJsonChannel, contact, ctx_for
from tests.servers.notification_servers import MailSink, Receiver, mail_sink, receiver
from watchwire.delivery.channels import CHANNELS, ChannelContext, render, send
from watchwire.delivery.channels.apprise_channels import AppriseChannel
from watchwire.delivery.channels.datadog import DatadogChannel
from watchwire.engine.checks import monitor_payload
from watchwire.events.event import Event
from watchwire.services.certs.spec import monitor_summary
from watchwire.services.rbl.announce import result_payload
from watchwire.services.rbl.model import host_json

__all__ = ["logs", "mail_sink", "receiver"]  # fixtures used by name

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MONITOR_SID = "MO" + "f5175" * 6 + "ab"


@dataclass(frozen=True)
class Case:
    """One event and what its alert must say."""

    event: Event
    title: str
    body: tuple[str, ...]


def _event(type: str, description: str, payload: dict[str, Any], resource: str, sid: str) -> Event:
    return Event(
        sid="TA" + "3" * 32,
        account_sid="AC" + "0" * 32,
        type=type,
        description=description,
        payload=payload,
        created_at=NOW,
        resource_type=resource,
        resource_sid=sid,
    )


def _uptime_monitor() -> Any:
    return SimpleNamespace(
        sid=MONITOR_SID, name="Shop", kind="http", target="https://shop.example.com/"
    )


def _cert_monitor() -> Any:
    return SimpleNamespace(
        sid="CM" + "1" * 32,
        name="Shop TLS",
        hostname="shop.example.com",
        protocol="https",
        port=443,
        profile_sid=None,
        contact_groups=[],
        tags=[],
        paused=False,
    )


def _rbl_host() -> Any:
    return SimpleNamespace(
        sid="RH" + "2" * 32,
        host="203.0.113.7",
        name="Mail relay",
        type="ipv4",
        parent=None,
        paused=False,
        profile_sid=None,
        contact_groups=[],
        tags=[],
        listings={"zen": {"host": "zen.example", "listed": True}},
        first_listed=NOW,
        last_checked=NOW,
        next_run_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )


def cases() -> list[Case]:
    monitor = monitor_payload(_uptime_monitor())
    down = "Shop (http https://shop.example.com/) is down: HTTP 503. Confirmed by 3 failed checks"
    host = host_json(_rbl_host(), NOW)
    webhook = {"sid": "HT" + "4" * 32, "name": "Ops hook", "url": "https://hooks.example/x"}
    return [
        Case(
            _event(
                "monitor.down",
                down,
                {"monitor": monitor, "previous_state": "up", "state": "down", "error": "HTTP 503"},
                "monitor",
                MONITOR_SID,
            ),
            "DOWN: Shop",
            (down, "state: down", "error: HTTP 503"),
        ),
        Case(
            _event(
                "monitor.up",
                "Shop (http https://shop.example.com/) is up again after 4 min.",
                {"monitor": monitor, "previous_state": "down", "state": "up", "error": None},
                "monitor",
                MONITOR_SID,
            ),
            "UP: Shop",
            ("is up again after 4 min", "previous state: down"),
        ),
        Case(
            _event(
                "ssl.expiring",
                "The certificate of https://shop.example.com/ expires in 9 days.",
                {"monitor": monitor, "threshold_days": 14},
                "monitor",
                MONITOR_SID,
            ),
            "Certificate expiring: Shop",
            ("expires in 9 days", "threshold days: 14"),
        ),
        Case(
            _event(
                "cert.expiration.trigger",
                "The certificate of shop.example.com expires in 6 days.",
                {"monitor": monitor_summary(_cert_monitor()), "days_left": 6},
                "cert_monitor",
                "CM" + "1" * 32,
            ),
            "Certificate expiring: Shop TLS",
            ("expires in 6 days", "days left: 6"),
        ),
        Case(
            _event(
                "rbl.host.listed",
                "Mail relay (203.0.113.7) is listed on zen.example.",
                result_payload("RC" + "5" * 32, host, list(host["listed_details"])),
                "rbl_host",
                "RH" + "2" * 32,
            ),
            "LISTED: Mail relay",
            ("is listed on zen.example", "total: 1"),
        ),
        Case(
            _event(
                "domain.record_missing",
                "The A record of www.example.org is missing.",
                {"domain": "example.org", "subdomain": "www", "domain_sid": "DO" + "6" * 32},
                "domain",
                "DO" + "6" * 32,
            ),
            "DNS record missing: example.org",
            ("A record of www.example.org is missing", "subdomain: www"),
        ),
        Case(
            _event(
                "domain.expiring",
                "The registration of example.org expires in 20 days (2026-12-14).",
                {"domain": "example.org", "days_left": 20, "expired": False},
                "domain",
                "DO" + "6" * 32,
            ),
            "Domain expiring: example.org",
            ("expires in 20 days", "days left: 20"),
        ),
        Case(
            _event(
                "webhook.failing",
                "Webhook Ops hook has failed 10 deliveries in a row (last: HTTP 500).",
                {"webhook": webhook, "consecutive_failures": 10, "last_error": "HTTP 500"},
                "webhook",
                "HT" + "4" * 32,
            ),
            "A webhook endpoint keeps failing its deliveries: Ops hook",
            ("failed 10 deliveries", "consecutive failures: 10"),
        ),
        Case(
            _event(
                "test",
                "Test event for webhook Ops hook",
                {"webhook": webhook},
                "webhook",
                "HT" + "4" * 32,
            ),
            "Test notification: Ops hook",
            ("Test event for webhook Ops hook",),
        ),
    ]


CASES = cases()
IDS = [case.event.type for case in CASES]


def _check(case: Case, title: str, body: str) -> None:
    assert title == case.title
    for part in case.body:
        assert part in body
    assert case.event.type in body


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_title_names_the_thing_not_its_sid(case: Case) -> None:
    message = render(case.event)
    _check(case, message.title, message.text)
    assert case.event.resource_sid not in message.title


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_email(mail_sink: MailSink, case: Case) -> None:
    await send(contact("email", "ops@example.com"), case.event, ctx_for(mail_sink))
    [mail] = mail_sink.to("ops@example.com")
    _check(case, mail["Subject"], mail.get_payload(decode=True).decode())


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_endpoint(receiver: Receiver, case: Case) -> None:
    await send(contact("endpoint", receiver.url(), url=receiver.url()), case.event, ctx_for())
    body = receiver.requests[0].json()
    _check(case, body["title"], body["message"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_datadog(receiver: Receiver, case: Case) -> None:
    channel = DatadogChannel(api_base=receiver.base)
    await channel.send(contact("datadog", "dd", api_key="k" * 32), render(case.event), ctx_for())
    body = receiver.requests[0].json()
    _check(case, body["title"], body["text"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_cloudwatch(logs: LogsEndpoint, case: Case) -> None:
    await send(cloudwatch_contact(logs), case.event, ChannelContext(policy=LOOPBACK))
    [call] = logs.events
    message = json.loads(call["logEvents"][0]["message"])
    _check(case, message["title"], message["message"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_apprise(receiver: Receiver, case: Case) -> None:
    channel = LocalJsonChannel(receiver.base)
    await channel.send(contact("local-json", "inbox"), render(case.event), ctx_for())
    body = receiver.requests[0].json()
    _check(case, body["title"], body["message"])


HAND_WRITTEN = {"email", "endpoint", "datadog", "aws-cloudwatch"}


def test_every_channel_is_covered_here() -> None:
    """Each channel is one of the four hand-written ones above, or an Apprise channel that
    sends through the one `AppriseChannel.send` exercised by test_apprise."""
    for kind, channel in CHANNELS.items():
        if kind in HAND_WRITTEN:
            continue
        assert isinstance(channel, AppriseChannel), kind
        assert type(channel).send is AppriseChannel.send, kind
