"""The notification channels against real receivers on loopback: SMTP (aiosmtpd), HTTP
(aiohttp) and Apprise's own HTTP client aimed at a local JSON endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import apprise
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.servers.notification_servers import MailSink, Receiver, free_port, mail_sink, receiver
from watchwire.config import Settings
from watchwire.delivery.channels import (
    CHANNELS,
    CONTACT_TYPES,
    ChannelContext,
    ChannelError,
    ContactTarget,
    SmtpSettings,
    normalize_args,
    render,
    send,
)
from watchwire.delivery.channels._http import classify_status
from watchwire.delivery.channels.apprise_channels import AppriseChannel, send_apprise
from watchwire.delivery.channels.datadog import DatadogChannel
from watchwire.errors import ValidationError
from watchwire.events.event import Event
from watchwire.target_policy import TargetPolicy

__all__ = ["mail_sink", "receiver"]  # fixtures used by name

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LOOPBACK = TargetPolicy(allow_private=True)


def confirm_event(code: str = "3Kx3se") -> Event:
    return Event(
        sid="TA" + "1" * 32,
        account_sid="AC" + "0" * 32,
        type="contact.confirm",
        description="Confirmation code",
        payload={"contact_sid": "CO" + "2" * 32, "authcode": code},
        created_at=NOW,
        resource_type="contact",
        resource_sid="CO" + "2" * 32,
    )


def down_event() -> Event:
    return Event(
        sid="TA" + "3" * 32,
        account_sid="AC" + "0" * 32,
        type="monitor.down",
        description="https://shop.example.com is down: HTTP 503 after 3 checks",
        payload={"name": "Shop", "url": "https://shop.example.com", "status_code": 503},
        created_at=NOW,
        resource_type="monitor",
        resource_sid="MO" + "4" * 32,
        contact_groups=["CG" + "5" * 32],
    )


def ctx_for(sink: MailSink | None = None, **kwargs: Any) -> ChannelContext:
    smtp = (
        SmtpSettings(host=sink.host, port=sink.port, sender="alerts@watchwire.test")
        if sink
        else SmtpSettings()
    )
    return ChannelContext(
        policy=kwargs.pop("policy", LOOPBACK),
        smtp=smtp,
        timeout=kwargs.pop("timeout", 10.0),
        **kwargs,
    )


def contact(type: str, value: str, **args: Any) -> ContactTarget:
    return ContactTarget(
        sid="CO" + "2" * 32, type=type, args={"contact": value, **args}, name=value
    )


# -- email ------------------------------------------------------------------------------


async def test_confirmation_email_carries_the_code(mail_sink: MailSink) -> None:
    await send(contact("email", "ops@example.com"), confirm_event("3Kx3se"), ctx_for(mail_sink))

    [mail] = mail_sink.to("ops@example.com")
    assert mail["Subject"] == "Confirm your watchwire contact"
    assert mail["From"] == "alerts@watchwire.test"
    body = mail.get_payload(decode=True).decode()
    assert "3Kx3se" in body
    assert "/v1/contacts/CO" + "2" * 32 + "/confirm" in body


async def test_alert_email_says_what_is_down(mail_sink: MailSink) -> None:
    await send(contact("email", "ops@example.com"), down_event(), ctx_for(mail_sink))

    [mail] = mail_sink.to("ops@example.com")
    assert mail["Subject"] == "DOWN: Shop"
    body = mail.get_payload(decode=True).decode()
    assert "https://shop.example.com is down: HTTP 503 after 3 checks" in body
    assert "status code: 503" in body


async def test_recipient_refused_for_good_is_permanent(mail_sink: MailSink) -> None:
    with pytest.raises(ChannelError) as failure:
        await send(contact("email", "refused@example.com"), down_event(), ctx_for(mail_sink))
    assert failure.value.permanent
    assert "550" in failure.value.message
    assert mail_sink.messages == []


async def test_recipient_deferred_is_retried(mail_sink: MailSink) -> None:
    with pytest.raises(ChannelError) as failure:
        await send(contact("email", "busy@example.com"), down_event(), ctx_for(mail_sink))
    assert not failure.value.permanent


async def test_mail_relay_down_is_retried() -> None:
    ctx = ChannelContext(policy=LOOPBACK, smtp=SmtpSettings(host="127.0.0.1", port=free_port()))
    with pytest.raises(ChannelError) as failure:
        await send(contact("email", "ops@example.com"), down_event(), ctx)
    assert not failure.value.permanent


@pytest.mark.parametrize("address", ["", "ops", "ops@localhost", "a@b.c\nBcc: x@y.z", "A <a@b.co>"])
def test_bad_email_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args("email", address, {}, ChannelContext())
    assert refused.value.details[0]["field"] == "contact"


# -- endpoint (hand-written, 003's summary) -------------------------------------------------


async def test_endpoint_receives_the_confirmation_summary(receiver: Receiver) -> None:
    await send(
        contact("endpoint", receiver.url(), url=receiver.url()), confirm_event("Ab12Cd"), ctx_for()
    )

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    body = request.json()
    assert set(body) == {"event_sid", "event_type", "title", "message", "url", "authcode"}
    assert body["event_type"] == "contact.confirm"
    assert body["authcode"] == "Ab12Cd"
    assert body["event_sid"] == "TA" + "1" * 32


async def test_endpoint_receives_an_alert_as_contact_trigger(receiver: Receiver) -> None:
    await send(contact("endpoint", receiver.url(), url=receiver.url()), down_event(), ctx_for())

    body = receiver.requests[0].json()
    assert set(body) == {"event_sid", "event_type", "title", "message", "url"}
    assert body["event_type"] == "contact.trigger"
    assert body["title"] == "DOWN: Shop"
    assert "HTTP 503 after 3 checks" in body["message"]
    assert body["url"] == "https://shop.example.com"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_endpoint_client_errors_are_permanent(receiver: Receiver, status: int) -> None:
    url = receiver.url(f"/status/{status}")
    with pytest.raises(ChannelError) as failure:
        await send(contact("endpoint", url, url=url), down_event(), ctx_for())
    assert failure.value.permanent
    assert str(status) in failure.value.message


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_endpoint_server_errors_are_retried(receiver: Receiver, status: int) -> None:
    url = receiver.url(f"/status/{status}")
    with pytest.raises(ChannelError) as failure:
        await send(contact("endpoint", url, url=url), down_event(), ctx_for())
    assert not failure.value.permanent
    assert failure.value.retry_after is None


async def test_endpoint_429_is_retried_after_what_the_receiver_asked(receiver: Receiver) -> None:
    url = receiver.url("/status/429?retry_after=120")
    with pytest.raises(ChannelError) as failure:
        await send(contact("endpoint", url, url=url), down_event(), ctx_for())
    assert not failure.value.permanent
    assert failure.value.retry_after == 120


async def test_endpoint_that_does_not_answer_in_time_is_retried(receiver: Receiver) -> None:
    url = receiver.url("/slow")
    with pytest.raises(ChannelError) as failure:
        await send(contact("endpoint", url, url=url), down_event(), ctx_for(timeout=1.0))
    assert not failure.value.permanent
    assert "within 1s" in failure.value.message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_endpoint_on_a_refused_address_is_never_contacted(
    receiver: Receiver, host: str
) -> None:
    url = receiver.url().replace("127.0.0.1", host)
    public_only = ctx_for(policy=TargetPolicy())
    with pytest.raises(ChannelError) as failure:
        await send(contact("endpoint", url, url=url), down_event(), public_only)
    assert failure.value.permanent
    assert "loopback" in failure.value.message
    assert receiver.requests == []


def test_endpoint_needs_an_http_url() -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args("endpoint", "ftp://example.com/", {}, ChannelContext())
    assert refused.value.details[0]["field"] == "args.url"
    stored = normalize_args("endpoint", "hooks", {"url": "https://example.com/h"}, ChannelContext())
    assert stored == {"contact": "hooks", "url": "https://example.com/h"}


# -- datadog (hand-written) ---------------------------------------------------------------


async def test_datadog_event_goes_out_with_the_api_key(receiver: Receiver) -> None:
    channel = DatadogChannel(api_base=receiver.base)
    target = contact("datadog", "dd", api_key="k" * 32, site="datadoghq.eu", tags=["team:ops"])
    await channel.send(target, render(down_event()), ctx_for())

    [request] = receiver.requests
    assert request.path == "/api/v1/events"
    assert request.headers["DD-API-KEY"] == "k" * 32
    body = request.json()
    assert body["alert_type"] == "error"
    assert body["title"] == "DOWN: Shop"
    assert "team:ops" in body["tags"]


def test_datadog_site_must_be_datadogs() -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args("datadog", "dd", {"api_key": "k", "site": "evil.example"}, ChannelContext())
    assert refused.value.details[0]["field"] == "args.site"


# -- Apprise --------------------------------------------------------------------------------


class LocalJsonChannel(AppriseChannel):
    """An Apprise channel aimed at the local receiver through Apprise's json:// service."""

    type = "local-json"

    def __init__(self, base: str) -> None:
        self._url = base.replace("http://", "json://")

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        return f"{self._url}/{contact.value}"


async def test_apprise_channel_delivers_title_and_body(receiver: Receiver) -> None:
    channel = LocalJsonChannel(receiver.base)
    await channel.send(contact("local-json", "inbox"), render(down_event()), ctx_for())

    [request] = receiver.requests
    assert request.path == "/inbox"
    body = request.json()
    assert body["title"] == "DOWN: Shop"
    assert "HTTP 503 after 3 checks" in body["message"]
    assert body["type"] == "failure"


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (401, True), (503, False), (429, False)]
)
async def test_apprise_failures_are_classified_by_status(
    receiver: Receiver, status: int, permanent: bool
) -> None:
    channel = LocalJsonChannel(receiver.base)
    with pytest.raises(ChannelError) as failure:
        await channel.send(
            contact("local-json", f"status/{status}"), render(down_event()), ctx_for()
        )
    assert failure.value.permanent is permanent
    assert f"error={status}" in failure.value.message


async def test_apprise_unreachable_service_is_retried() -> None:
    with pytest.raises(ChannelError) as failure:
        await send_apprise(f"json://127.0.0.1:{free_port()}/", render(down_event()), 10.0)
    assert not failure.value.permanent


async def test_sms_goes_through_the_operators_gateway(receiver: Receiver) -> None:
    gateway = receiver.base.replace("http://", "json://") + "/sms/{phone}"
    ctx = ctx_for(sms_url=gateway)
    stored = normalize_args("sms", "+1 555-123-4567", {}, ctx)
    assert stored == {"contact": "+15551234567"}

    await send(ContactTarget("CO" + "9" * 32, "sms", stored), confirm_event("Zz9yX8"), ctx)

    [request] = receiver.requests
    assert request.path == "/sms/+15551234567"
    assert "Zz9yX8" in request.json()["message"]


def test_sms_without_a_gateway_is_refused_at_creation() -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args("sms", "+15551234567", {}, ChannelContext())
    assert refused.value.details[0]["rule"] == "unsupported"
    assert "WATCHWIRE_SMS_APPRISE_URL" in refused.value.message


APPRISE_CONTACTS = [
    ("pushover", "u" * 30, {"token": "a" * 30}, "pover://"),
    ("pagerduty", "routingkey123", {"api_key": "apikey456"}, "pagerduty://"),
    (
        "slack",
        "https://hooks.slack.com/services/T1234/B5678/abcdefghij",
        {},
        "https://hooks.slack.com/",
    ),
    ("discord", "https://discord.com/api/webhooks/1234567/tokenABC", {}, "https://discord.com/"),
    ("telegram", "123456789", {"bot_token": "123456:ABCdefGHIjkl"}, "tgram://"),
    (
        "aws-sns",
        "arn:aws:sns:us-east-1:123456789012:alerts",
        {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "se/cr+et", "region": "us-east-1"},
        "sns://",
    ),
]


@pytest.mark.parametrize(("type", "value", "args", "prefix"), APPRISE_CONTACTS)
def test_each_apprise_type_makes_a_url_apprise_accepts(
    type: str, value: str, args: dict[str, Any], prefix: str
) -> None:
    channel = CHANNELS[type]
    assert isinstance(channel, AppriseChannel)
    stored = normalize_args(type, value, args, ChannelContext())
    url = channel.apprise_url(ContactTarget("", type, stored), ChannelContext())
    assert url.startswith(prefix)
    assert apprise.Apprise.instantiate(url) is not None


@pytest.mark.parametrize(
    ("type", "value", "args", "field"),
    [
        ("pushover", "u" * 30, {}, "args.token"),
        ("telegram", "123", {"bot_token": ""}, "args.bot_token"),
        ("aws-sns", "topic", {"access_key_id": "A"}, "args.secret_access_key"),
        ("slack", "https://example.com/hook", {}, "contact"),
        ("discord", "https://discord.com/api/webhooks/1/t", {"colour": "red"}, "args.colour"),
        ("aws-cloudwatch", "metric", {}, "args.region"),
        ("carrier-pigeon", "coo", {}, "type"),
    ],
)
def test_unusable_contacts_are_refused_naming_the_field(
    type: str, value: str, args: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args(type, value, args, ChannelContext())
    assert refused.value.details[0]["field"] == field


def test_every_003_type_has_exactly_one_channel() -> None:
    assert set(CONTACT_TYPES) == {
        "email", "sms", "pushover", "pagerduty", "slack", "datadog",
        "discord", "telegram", "endpoint", "aws-sns", "aws-cloudwatch",
    }  # fmt: skip
    assert set(CONTACT_TYPES) <= set(CHANNELS)


# -- classification and rendering ---------------------------------------------------------


@given(st.integers(min_value=100, max_value=599))
def test_http_status_classification(status: int) -> None:
    try:
        classify_status(status, "")
    except ChannelError as failure:
        assert not 200 <= status < 300
        expected_permanent = status < 500 and status not in (408, 425, 429)
        assert failure.permanent is expected_permanent
    else:
        assert 200 <= status < 300


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12), st.one_of(st.text(), st.integers(), st.none())
    )
)
def test_an_alert_never_shows_a_secret_and_always_has_a_title(payload: dict[str, Any]) -> None:
    event = Event(
        sid="TA" + "6" * 32,
        account_sid="AC" + "0" * 32,
        type="rbl.host.listed",
        description="203.0.113.7 is listed",
        payload={**payload, "authcode": "SECRET1"},
        created_at=NOW,
    )
    message = render(event)
    assert message.title.startswith("LISTED")
    assert "SECRET1" not in message.text
    assert message.authcode is None


def test_channel_context_comes_from_the_settings() -> None:
    settings = Settings(
        smtp_host="mail.internal",
        smtp_port=587,
        smtp_username="watchwire",
        smtp_password="pw",
        smtp_starttls=True,
        smtp_from="alerts@example.com",
        sms_apprise_url="twilio://AC1:tok@+15550001111/{phone}",
        allow_private_targets=True,
    )
    ctx = ChannelContext.from_settings(settings)
    assert ctx.smtp == SmtpSettings(
        "mail.internal", 587, "watchwire", "pw", True, "alerts@example.com"
    )
    assert ctx.sms_url == "twilio://AC1:tok@+15550001111/{phone}"
    assert ctx.policy.allow_private
