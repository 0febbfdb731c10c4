"""The channels to self-hosted services (ntfy, Gotify, Mattermost, Matrix, Teams through
Power Automate Workflows) against loopback stand-ins of their HTTP APIs, Opsgenie's URL, and
the operator's opt-in `apprise` type."""

from __future__ import annotations

from typing import Any

import apprise
import pytest

from tests.delivery.helpers import add_contact, emit, rows, worker
from tests.delivery.test_channels import confirm_event, down_event
from tests.servers.notification_servers import Receiver, free_port, receiver
from tests.servers.service_receivers import (
    MATRIX_ROOM_ID,
    ServiceReceiver,
    service_receiver,
    tls_service_receiver,
)
from watchwire.config import Settings
from watchwire.delivery.channels import (
    CHANNELS,
    CONTACT_TYPES,
    NATIVE_TYPES,
    ChannelContext,
    ChannelError,
    ContactTarget,
    normalize_args,
    render,
    send,
)
from watchwire.delivery.channels.apprise_channels import AppriseChannel
from watchwire.errors import ValidationError
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["receiver", "service_receiver", "tls_service_receiver"]  # fixtures used by name

LOOPBACK = ChannelContext(policy=TargetPolicy(allow_private=True), timeout=10.0)
PUBLIC_ONLY = ChannelContext(policy=TargetPolicy(), timeout=10.0)
WORKFLOW_PATH = "/workflows/a1b2c3d4e5/triggers/manual/paths/invoke"
WORKFLOW_QUERY = "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S1gn4ture_x"


def stored(type: str, value: str, ctx: ChannelContext = LOOPBACK, **args: Any) -> ContactTarget:
    """The contact as the service would store it: through the channel's `normalize`."""
    return ContactTarget("CO" + "7" * 32, type, normalize_args(type, value, args, ctx))


def ntfy(server: ServiceReceiver, **args: Any) -> ContactTarget:
    return stored("ntfy", f"{server.base}/alerts", **args)


def gotify(server: ServiceReceiver) -> ContactTarget:
    return stored("gotify", f"{server.base}/gotify", token="AppTok3n.x")


def mattermost(server: ServiceReceiver) -> ContactTarget:
    return stored("mattermost", f"{server.base}/chat/hooks/h00ktoken123")


def matrix(server: ServiceReceiver) -> ContactTarget:
    return stored("matrix", "#ops:example.org", homeserver=server.base, access_token="syt_s3cret")


def teams(server: ServiceReceiver) -> ContactTarget:
    return stored("teams", server.base + WORKFLOW_PATH + WORKFLOW_QUERY)


# -- what each service receives -----------------------------------------------------------


async def test_ntfy_publishes_title_body_and_priority_with_the_token(
    service_receiver: ServiceReceiver,
) -> None:
    await send(ntfy(service_receiver, token="tk_0123456789"), down_event(), LOOPBACK)

    [request] = service_receiver.requests
    assert (request.method, request.path) == ("POST", "/")
    assert request.headers["Authorization"] == "Bearer tk_0123456789"
    assert request.headers["X-Priority"] == "high"
    body = request.json()
    assert body["topic"] == "alerts"
    assert body["title"] == "DOWN: Shop"
    assert "HTTP 503 after 3 checks" in body["message"]


async def test_ntfy_confirmation_has_the_code_at_the_default_priority_with_basic_auth(
    service_receiver: ServiceReceiver,
) -> None:
    target = ntfy(service_receiver, username="ops", password="pa/ss")
    await send(target, confirm_event("Nt5yCd"), LOOPBACK)

    [request] = service_receiver.requests
    assert request.headers["Authorization"] == "Basic b3BzOnBhL3Nz"  # ops:pa/ss
    assert "X-Priority" not in request.headers
    assert "Nt5yCd" in request.json()["message"]


async def test_gotify_posts_the_message_with_its_key_and_priority(
    service_receiver: ServiceReceiver,
) -> None:
    await send(gotify(service_receiver), down_event(), LOOPBACK)
    await send(gotify(service_receiver), confirm_event(), LOOPBACK)

    alert, confirmation = service_receiver.requests
    assert (alert.method, alert.path) == ("POST", "/gotify/message")
    assert alert.headers["X-Gotify-Key"] == "AppTok3n.x"
    assert alert.json()["title"] == "DOWN: Shop"
    assert "HTTP 503 after 3 checks" in alert.json()["message"]
    assert alert.json()["priority"] == 8
    assert confirmation.json()["priority"] == 5


async def test_mattermost_posts_to_the_webhook(service_receiver: ServiceReceiver) -> None:
    target = stored(
        "mattermost", f"{service_receiver.base}/chat/hooks/h00ktoken123", channel="incidents"
    )
    await send(target, down_event(), LOOPBACK)

    [request] = service_receiver.requests
    assert (request.method, request.path) == ("POST", "/chat/hooks/h00ktoken123")
    body = request.json()
    # Mattermost posts have no title: Apprise puts it on the text's first line.
    assert body["text"].startswith("DOWN: Shop")
    assert "HTTP 503 after 3 checks" in body["text"]
    assert body["channel"] == "incidents"
    assert "icon_url" not in body


async def test_matrix_joins_the_room_and_sends_the_message_with_the_token(
    service_receiver: ServiceReceiver,
) -> None:
    await send(matrix(service_receiver), down_event(), LOOPBACK)

    requests = service_receiver.requests
    assert all(r.headers["Authorization"] == "Bearer syt_s3cret" for r in requests)
    calls = [(r.method, r.path) for r in requests]
    assert ("POST", "/_matrix/client/v3/join/#ops:example.org") in calls
    [sent] = [r for r in requests if r.method == "PUT"]
    assert sent.path.startswith(f"/_matrix/client/v3/rooms/{MATRIX_ROOM_ID}/send/m.room.message/")
    assert sent.json()["msgtype"] == "m.text"
    assert sent.json()["body"].startswith("# DOWN: Shop")
    assert "HTTP 503 after 3 checks" in sent.json()["body"]
    # No .well-known discovery and no encryption handshake: nothing but these calls.
    assert {path for _, path in calls} <= {
        "/_matrix/client/v3/account/whoami",
        "/_matrix/client/v3/join/#ops:example.org",
        sent.path,
    }


async def test_teams_workflow_receives_an_adaptive_card_with_its_signature(
    tls_service_receiver: ServiceReceiver,
) -> None:
    await send(teams(tls_service_receiver), down_event(), LOOPBACK)

    [request] = tls_service_receiver.requests
    assert (request.method, request.path) == ("POST", WORKFLOW_PATH)
    assert request.query["sig"] == "S1gn4ture_x"
    assert request.query["api-version"] == "2016-06-01"
    card = request.json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    text = str(card["content"]["body"])
    assert "DOWN: Shop" in text
    assert "HTTP 503 after 3 checks" in text


# -- failures -------------------------------------------------------------------------------

SERVICES = {
    "ntfy": ntfy,
    "gotify": gotify,
    "mattermost": mattermost,
    "matrix": matrix,
}


@pytest.mark.parametrize("kind", sorted(SERVICES))
@pytest.mark.parametrize(("status", "permanent"), [(401, True), (404, True), (503, False)])
async def test_service_failures_are_classified_by_status(
    service_receiver: ServiceReceiver, kind: str, status: int, permanent: bool
) -> None:
    service_receiver.status = status
    with pytest.raises(ChannelError) as failure:
        await send(SERVICES[kind](service_receiver), down_event(), LOOPBACK)
    assert failure.value.permanent is permanent
    assert f"error={status}" in failure.value.message


@pytest.mark.parametrize(("status", "permanent"), [(403, True), (502, False)])
async def test_teams_failures_are_classified_by_status(
    tls_service_receiver: ServiceReceiver, status: int, permanent: bool
) -> None:
    tls_service_receiver.status = status
    with pytest.raises(ChannelError) as failure:
        await send(teams(tls_service_receiver), down_event(), LOOPBACK)
    assert failure.value.permanent is permanent


async def test_a_service_that_is_down_is_retried() -> None:
    target = stored("gotify", f"http://127.0.0.1:{free_port()}", token="AppTok3n.x")
    with pytest.raises(ChannelError) as failure:
        await send(target, down_event(), LOOPBACK)
    assert not failure.value.permanent


@pytest.mark.parametrize("kind", sorted(SERVICES))
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_refused_address_is_never_contacted(
    service_receiver: ServiceReceiver, kind: str, host: str
) -> None:
    # Stored while the server allowed private targets; the operator has turned that off.
    target = SERVICES[kind](service_receiver)
    args = {k: str(v).replace("127.0.0.1", host) for k, v in target.args.items()}
    with pytest.raises(ChannelError) as failure:
        await send(ContactTarget(target.sid, kind, args), down_event(), PUBLIC_ONLY)
    assert failure.value.permanent
    assert "loopback" in failure.value.message
    assert service_receiver.requests == []


async def test_a_refused_teams_host_is_never_contacted(
    tls_service_receiver: ServiceReceiver,
) -> None:
    with pytest.raises(ChannelError) as failure:
        await send(teams(tls_service_receiver), down_event(), PUBLIC_ONLY)
    assert failure.value.permanent
    assert tls_service_receiver.requests == []


@pytest.mark.parametrize(
    ("type", "value", "args", "field"),
    [
        ("ntfy", "http://127.0.0.1:8080/alerts", {}, "contact"),
        ("gotify", "http://10.0.0.5", {"token": "t"}, "contact"),
        ("mattermost", "http://[::1]:8065/hooks/abc", {}, "contact"),
        ("teams", "https://192.168.1.9" + WORKFLOW_PATH + WORKFLOW_QUERY, {}, "contact"),
        ("matrix", "!r:example.org", {"homeserver": "http://127.0.0.1", "access_token": "t"},
         "args.homeserver"),
    ],
)  # fmt: skip
def test_a_refused_address_is_a_400_at_creation(
    type: str, value: str, args: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args(type, value, args, PUBLIC_ONLY)
    assert refused.value.details[0]["field"] == field
    assert refused.value.details[0]["rule"] == "allowed"


# -- what a contact of each type may be -----------------------------------------------------


@pytest.mark.parametrize(
    ("type", "value", "args", "field"),
    [
        ("ntfy", "https://ntfy.example/", {}, "contact"),
        ("ntfy", "https://ntfy.example/a/b", {}, "contact"),
        ("ntfy", "ftp://ntfy.example/alerts", {}, "contact"),
        ("ntfy", "https://u:p@ntfy.example/alerts", {}, "contact"),
        ("ntfy", "https://ntfy.example/alerts", {"password": "p"}, "args.username"),
        ("gotify", "https://gotify.example", {}, "args.token"),
        ("mattermost", "https://chat.example/api/v4/posts", {}, "contact"),
        ("mattermost", "https://chat.example/hooks/abc", {"channel": "Town Square"},
         "args.channel"),
        ("matrix", "ops", {"homeserver": "https://m.example", "access_token": "t"}, "contact"),
        ("matrix", "!r:example.org", {"access_token": "t"}, "args.homeserver"),
        ("matrix", "!r:example.org", {"homeserver": "https://m.example/x", "access_token": "t"},
         "args.homeserver"),
        ("matrix", "!r:example.org", {"homeserver": "https://m.example"}, "args.access_token"),
        ("teams", "https://example.webhook.office.com/webhookb2/abc", {}, "contact"),
        ("teams", "http://x.logic.azure.com" + WORKFLOW_PATH + WORKFLOW_QUERY, {}, "contact"),
        ("teams", "https://x.logic.azure.com" + WORKFLOW_PATH + "?api-version=1", {}, "contact"),
        ("opsgenie", "key", {"region": "asia"}, "args.region"),
        ("apprise", "json://127.0.0.1/", {}, "type"),
    ],
)  # fmt: skip
def test_unusable_contacts_are_refused_naming_the_field(
    type: str, value: str, args: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args(type, value, args, ChannelContext())
    assert refused.value.details[0]["field"] == field


def test_opsgenie_url_names_the_key_region_and_priority() -> None:
    """No request: Opsgenie's hosts are public. Apprise sends `"priority": f"P{priority}"`."""
    channel = CHANNELS["opsgenie"]
    assert isinstance(channel, AppriseChannel)
    target = stored("opsgenie", "0d9e4f3c-1111-2222-3333-444455556666", region="eu")
    assert channel.apprise_url(target, ChannelContext()) == (
        "opsgenie://0d9e4f3c-1111-2222-3333-444455556666/?region=eu"
    )
    outage = apprise.Apprise.instantiate(
        channel.message_url(target, render(down_event()), LOOPBACK)
    )
    assert outage is not None
    assert outage.apikey == "0d9e4f3c-1111-2222-3333-444455556666"
    assert outage.region_name == "eu"
    assert outage.priority == 2  # Opsgenie's P2, High
    confirmation = channel.message_url(target, render(confirm_event()), LOOPBACK)
    assert apprise.Apprise.instantiate(confirmation).priority == 3  # P3, its default


def test_teams_power_automate_urls_keep_their_routing() -> None:
    value = (
        "https://default0a.b1.environment.api.powerplatform.com:443/powerautomate/automations"
        "/direct/cu/12/workflows/a1b2c3d4e5/triggers/manual/paths/invoke" + WORKFLOW_QUERY
    )
    target = stored("teams", value)
    url = CHANNELS["teams"].apprise_url(target, ChannelContext())  # type: ignore[attr-defined]
    notifier = apprise.Apprise.instantiate(url)
    assert notifier is not None
    assert (notifier.workflow, notifier.signature) == ("a1b2c3d4e5", "S1gn4ture_x")
    assert notifier.power_automate and notifier.routing_id == "12"


# -- the operator's opt-in: any Apprise URL -------------------------------------------------


async def test_any_apprise_url_is_a_contact_once_the_operator_allows_it(
    receiver: Receiver,
) -> None:
    allowed = ChannelContext(policy=TargetPolicy(allow_private=True), apprise_any_url=True)
    url = receiver.base.replace("http://", "json://") + "/anything"
    target = stored("apprise", url, allowed)
    await send(target, down_event(), allowed)
    [request] = receiver.requests
    assert request.path == "/anything"
    assert request.json()["title"] == "DOWN: Shop"

    with pytest.raises(ChannelError) as failure:  # turned off again: ends the delivery
        await send(target, down_event(), LOOPBACK)
    assert failure.value.permanent
    assert len(receiver.requests) == 1


def test_the_apprise_type_is_refused_unless_enabled() -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_args("apprise", "json://example.com/", {}, ChannelContext())
    assert refused.value.details[0] == {
        "field": "type",
        "rule": "unsupported",
        "message": refused.value.message,
    }
    assert "WATCHWIRE_APPRISE_ANY_URL=true" in refused.value.message
    enabled = ChannelContext(apprise_any_url=True)
    with pytest.raises(ValidationError) as unreadable:
        normalize_args("apprise", "nosuchservice://x", {}, enabled)
    assert unreadable.value.details[0]["field"] == "contact"


def test_the_setting_reaches_the_channels() -> None:
    assert ChannelContext.from_settings(Settings(apprise_any_url=True)).apprise_any_url
    assert not ChannelContext.from_settings(Settings()).apprise_any_url


# -- the registry -------------------------------------------------------------------------


def test_003_types_stay_eleven_and_the_native_ones_come_after() -> None:
    assert len(CONTACT_TYPES) == 11
    assert NATIVE_TYPES[:11] == CONTACT_TYPES
    assert set(NATIVE_TYPES[11:]) == {
        "ntfy", "gotify", "mattermost", "matrix", "teams", "opsgenie", "apprise",
    }  # fmt: skip
    assert CHANNELS["matrix"].secret_args == {"access_token"}
    assert CHANNELS["ntfy"].secret_args == {"token", "password"}
    assert CHANNELS["gotify"].secret_args == {"token"}


# -- through the outbox ---------------------------------------------------------------------


async def test_an_alert_reaches_ntfy_through_the_outbox(
    runtime: Runtime, account: CreatedKey, service_receiver: ServiceReceiver
) -> None:
    target = ntfy(service_receiver, token="tk_outbox")
    contact, group = await add_contact(runtime, account.account_sid, type="ntfy", args=target.args)
    await emit(runtime, account.account_sid, groups=[group])
    await worker(runtime).run_once()

    [row] = await rows(runtime, target_sid=contact)
    assert row.status == "delivered"
    [request] = service_receiver.requests
    assert request.headers["Authorization"] == "Bearer tk_outbox"
    assert request.json()["title"].startswith("DOWN")


async def test_a_refused_host_fails_the_delivery_without_a_request(
    runtime: Runtime, account: CreatedKey, service_receiver: ServiceReceiver
) -> None:
    target = gotify(service_receiver)
    contact, group = await add_contact(
        runtime, account.account_sid, type="gotify", args=target.args
    )
    await emit(runtime, account.account_sid, groups=[group])
    await worker(runtime, policy=TargetPolicy()).run_once()

    [row] = await rows(runtime, target_sid=contact)
    assert row.status == "failed" and "loopback" in row.last_error
    assert service_receiver.requests == []
