"""Channels through Apprise to a service on a host the user names: ntfy, Gotify, Mattermost,
Matrix and Microsoft Teams (Power Automate Workflows).

The contact value is what the user copies from the service (a topic URL, a server URL, an
incoming-webhook URL, a room, a workflow URL); the channel turns it into the Apprise URL.

The host is the user's, so it passes the **target policy** like an `endpoint` URL: an IP
literal the policy refuses is a 400 when the contact is created, and before every send the
host is resolved with the policy (`TargetPolicy.resolve`) and a refused address ends the
delivery as a permanent failure, without a request. Apprise then connects through requests,
which resolves the name again: a name whose DNS answer changes between the two lookups (DNS
rebinding with a short TTL) can still reach an address the policy refuses. The hand-written
channels (endpoint, webhooks) do not have this gap: they check the address they connect to.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from watchwire.delivery.channels._base import (
    ChannelContext,
    ChannelError,
    ContactTarget,
    Message,
    required_arg,
)
from watchwire.delivery.channels.apprise_channels import AppriseChannel
from watchwire.delivery.webhook import url_syntax_problem
from watchwire.errors import ProbeError, TargetNotAllowed, ValidationError
from watchwire.target_policy import TargetPolicy
from watchwire.target_policy.http import check_literal_host

_NTFY_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MATTERMOST_HOOK = re.compile(r"^(?P<prefix>(/[^/]+)*)/hooks/(?P<token>[A-Za-z0-9]{1,64})/?$")
_WORKFLOW_PATH = re.compile(
    r"^(?P<pa>/powerautomate/automations/direct(/cu/(?P<route>[0-9]+))?)?"
    r"/workflows/(?P<workflow>[A-Za-z0-9_-]+)/triggers/manual/paths/invoke/?$"
)
_MATRIX_ROOM = re.compile(r"^[!#][^\s:/]+:[A-Za-z0-9.:\[\]-]+$")
_SIGNATURE = re.compile(r"^[A-Za-z0-9_-]+$")


def _part(value: Any) -> str:
    return quote(str(value), safe="")


def parse_service_url(
    value: str, field: str, type_name: str, schemes: tuple[str, ...] = ("http", "https")
) -> Any:
    """`urlsplit(value)` of an http(s) URL with a host and no credentials in it, or the
    ValidationError (naming `field`) saying what is wrong with it."""
    problem = url_syntax_problem(value)
    parts = urlsplit(value)
    if problem is None and parts.scheme not in schemes:
        problem = f"a {type_name} contact needs an {' or '.join(schemes)} URL"
    if problem is None and (parts.username or parts.password):
        problem = "the URL must not hold a user name or password (use the contact's args)"
    if problem is not None:
        raise ValidationError.field(field, "url", problem)
    return parts


def _netloc(parts: Any) -> str:
    """host[:port] of a split URL, IPv6 literals bracketed, for an Apprise URL."""
    host = str(parts.hostname)
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


async def check_host(host: str, policy: TargetPolicy) -> None:
    """Raise ChannelError unless `host` resolves to an address the policy allows: permanent
    when refused, retried when the name does not resolve (now)."""
    try:
        await policy.resolve(host)
    except TargetNotAllowed as exc:
        raise ChannelError(exc.message, permanent=True) from None
    except ProbeError as exc:
        raise ChannelError(exc.message) from None


class SelfHostedChannel(AppriseChannel):
    """An Apprise channel whose service runs on a host the user gives (see the module doc)."""

    # The field that names the host: where a refused address is reported at creation.
    host_field: ClassVar[str] = "contact"

    def host_of(self, contact: ContactTarget) -> str:
        raise NotImplementedError

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        normalized = super().normalize(contact, args, ctx)
        try:
            check_literal_host(self.host_of(ContactTarget("", self.type, normalized)), ctx.policy)
        except TargetNotAllowed as exc:
            raise ValidationError.field(self.host_field, "allowed", exc.message) from None
        return normalized

    async def check_target(self, contact: ContactTarget, ctx: ChannelContext) -> None:
        await check_host(self.host_of(contact), ctx.policy)


class NtfyChannel(SelfHostedChannel):
    """contact: the topic URL (`https://ntfy.example/alerts`); args.token (an access token)
    or args.username and args.password for a server that needs them."""

    type: ClassVar[str] = "ntfy"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"token", "username", "password"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"token", "password"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        parts = parse_service_url(contact.strip(), "contact", self.type)
        if not _NTFY_TOPIC.match(parts.path.strip("/")) or parts.query:
            raise ValidationError.field(
                "contact", "url", "an ntfy contact is the topic's URL (https://ntfy.example/alerts)"
            )
        if "password" in args and "username" not in args:
            raise ValidationError.field(
                "args.username", "required", "args.password needs args.username"
            )
        return super().normalize(contact, args, ctx)

    def host_of(self, contact: ContactTarget) -> str:
        return str(urlsplit(contact.value).hostname)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        parts = urlsplit(contact.value)
        scheme = "ntfys" if parts.scheme == "https" else "ntfy"
        args = contact.args
        auth, query = "", "image=no&format=text"
        if args.get("token"):
            query += f"&auth=token&token={_part(args['token'])}"
        elif args.get("username"):
            password = args.get("password")
            auth = _part(args["username"]) + (f":{_part(password)}" if password else "") + "@"
            query += "&auth=basic"
        return f"{scheme}://{auth}{_netloc(parts)}/{_part(parts.path.strip('/'))}?{query}"

    def message_url(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> str:
        priority = "high" if message.severity == "failure" else "default"
        return f"{self.apprise_url(contact, ctx)}&priority={priority}"


class GotifyChannel(SelfHostedChannel):
    """contact: the server's URL (`https://gotify.example`, a path prefix allowed);
    args.token: the application token."""

    type: ClassVar[str] = "gotify"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"token"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"token"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        parts = parse_service_url(contact.strip(), "contact", self.type)
        if parts.query or parts.fragment:
            raise ValidationError.field(
                "contact", "url", "a gotify contact is the server's URL, without a query"
            )
        required_arg(args, "token", self.type)
        return super().normalize(contact, args, ctx)

    def host_of(self, contact: ContactTarget) -> str:
        return str(urlsplit(contact.value).hostname)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        parts = urlsplit(contact.value)
        scheme = "gotifys" if parts.scheme == "https" else "gotify"
        token = required_arg(contact.args, "token", self.type)
        prefix = "".join(f"/{_part(p)}" for p in parts.path.split("/") if p)
        return f"{scheme}://{_netloc(parts)}{prefix}/{_part(token)}?format=text"

    def message_url(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> str:
        # Gotify's 0-10: 8 is "high" (a sound on Android), 5 its default.
        priority = 8 if message.severity == "failure" else 5
        return f"{self.apprise_url(contact, ctx)}&priority={priority}"


class MattermostChannel(SelfHostedChannel):
    """contact: the incoming-webhook URL (`https://chat.example/hooks/xxx`); args.channel
    posts to another channel than the webhook's own."""

    type: ClassVar[str] = "mattermost"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"channel"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        parts = parse_service_url(contact.strip(), "contact", self.type)
        if not _MATTERMOST_HOOK.match(parts.path) or parts.query:
            raise ValidationError.field(
                "contact",
                "url",
                "a mattermost contact is an incoming-webhook URL (https://chat.example/hooks/…)",
            )
        channel = args.get("channel")
        if channel is not None and not (
            isinstance(channel, str) and re.match(r"^[a-z0-9_-]{1,64}$", channel)
        ):
            raise ValidationError.field(
                "args.channel", "format", "args.channel is a channel's name (town-square)"
            )
        return super().normalize(contact, args, ctx)

    def host_of(self, contact: ContactTarget) -> str:
        return str(urlsplit(contact.value).hostname)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        parts = urlsplit(contact.value)
        hook = _MATTERMOST_HOOK.match(parts.path)
        if hook is None:
            raise ChannelError("the contact is not a Mattermost webhook URL", permanent=True)
        scheme = "mmosts" if parts.scheme == "https" else "mmost"
        channel = contact.args.get("channel")
        query = "image=no&format=text" + (f"&to=%23{_part(channel)}" if channel else "")
        return f"{scheme}://{_netloc(parts)}{hook['prefix']}/{hook['token']}?{query}"


class MatrixChannel(SelfHostedChannel):
    """contact: the room (`!id:example.org` or `#alias:example.org`); args.homeserver: the
    client-server API's URL; args.access_token: the sending account's token. The account
    joins the room (it must be public or the account invited); a room alias that does not
    exist is created by Apprise."""

    type: ClassVar[str] = "matrix"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"homeserver", "access_token"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"access_token"})
    host_field: ClassVar[str] = "args.homeserver"

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        if not _MATRIX_ROOM.match(contact.strip()):
            raise ValidationError.field(
                "contact", "format", "a matrix contact is a room: !id:example.org or #alias:…"
            )
        parts = parse_service_url(
            required_arg(args, "homeserver", self.type), "args.homeserver", self.type
        )
        if parts.path.strip("/") or parts.query:
            raise ValidationError.field(
                "args.homeserver", "url", "args.homeserver is the server's URL, without a path"
            )
        required_arg(args, "access_token", self.type)
        return super().normalize(contact, args, ctx)

    def host_of(self, contact: ContactTarget) -> str:
        return str(urlsplit(str(contact.args.get("homeserver", ""))).hostname)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        parts = urlsplit(required_arg(contact.args, "homeserver", self.type))
        token = required_arg(contact.args, "access_token", self.type)
        scheme = "matrixs" if parts.scheme == "https" else "matrix"
        # No .well-known discovery (it could move the requests to a host the policy never
        # saw), no encryption handshake, no avatar event: join the room and send the text.
        query = "discovery=no&e2ee=no&image=no&mode=off&format=text"
        return f"{scheme}://{_part(token)}@{_netloc(parts)}/{_part(contact.value)}?{query}"


class WorkflowsChannel(SelfHostedChannel):
    """Microsoft Teams through a Power Automate workflow ("Post to a channel when a webhook
    request is received"): contact is the workflow's HTTP URL, its `sig` included."""

    type: ClassVar[str] = "teams"

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        parts = parse_service_url(contact.strip(), "contact", self.type, ("https",))
        query = parse_qs(parts.query)
        if not _WORKFLOW_PATH.match(parts.path) or not _SIGNATURE.match(
            (query.get("sig") or [""])[0]
        ):
            raise ValidationError.field(
                "contact",
                "url",
                "a teams contact is a workflow's URL "
                "(https://…/workflows/…/triggers/manual/paths/invoke?…&sig=…)",
            )
        return super().normalize(contact, args, ctx)

    def host_of(self, contact: ContactTarget) -> str:
        return str(urlsplit(contact.value).hostname)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        parts = urlsplit(contact.value)
        path = _WORKFLOW_PATH.match(parts.path)
        query = parse_qs(parts.query)
        signature = (query.get("sig") or [""])[0]
        if path is None or not signature:
            raise ChannelError("the contact is not a workflow URL", permanent=True)
        options = "image=no&format=text"
        if path["pa"]:
            options += "&pa=yes" + (f"&route={path['route']}" if path["route"] else "")
        if query.get("api-version"):
            options += f"&ver={_part(query['api-version'][0])}"
        return f"workflows://{_netloc(parts)}/{path['workflow']}/{_part(signature)}/?{options}"
