"""Channels delivered through Apprise: each contact type maps its 003 `contact` value and
`args` to one Apprise URL; sending, retries inside a request and the services' quirks are
Apprise's.

Apprise is synchronous (requests), so a notification runs in a worker thread. It reports
success as a bool; the HTTP status of a failure is read from the log line every Apprise
service writes (`…error=404.`), so a deleted webhook or a revoked token still ends a delivery
at once as a permanent failure instead of being retried for days.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from watchwire.delivery.channels._base import (
    Channel,
    ChannelContext,
    ChannelError,
    ContactTarget,
    Message,
    required_arg,
)
from watchwire.delivery.channels._http import classify_status
from watchwire.errors import ValidationError

if TYPE_CHECKING:
    from apprise import AppriseResult

_STATUS_IN_LOG = re.compile(r"error=(\d{3})\b")
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")


def _part(value: Any) -> str:
    """One URL path or user component, with everything that has a meaning in URLs escaped."""
    return quote(str(value), safe="")


def _notify(url: str, message: Message, timeout: float) -> AppriseResult:
    # Apprise is imported on first use here and in `normalize`: it loads its 150 service
    # modules, a tenth of a second every CLI command that builds the runtime would pay.
    from apprise import Apprise, AppriseAsset

    notifier = Apprise(asset=AppriseAsset(storage_mode="memory"))
    if not notifier.add(url):
        raise ChannelError("the contact's settings do not make a valid Apprise URL", permanent=True)
    return notifier.notify(
        body=message.text, title=message.title, notify_type=message.severity, timeout=timeout
    )


async def send_apprise(url: str, message: Message, timeout: float) -> None:
    """Send through Apprise; raise ChannelError (permanent for 4xx other than 408/429)."""
    result = await asyncio.to_thread(_notify, url, message, timeout)
    if result:
        return
    lines = [entry.message for entry in result.logs()]
    statuses = [int(code) for line in lines for code in _STATUS_IN_LOG.findall(line)]
    # The last line naming a status says why (a service may log a vaguer summary after it).
    with_status = [line for line in lines if _STATUS_IN_LOG.search(line)]
    reason = (with_status or lines or [f"Apprise reported {result.status.name.lower()}"])[-1]
    if statuses:
        try:
            classify_status(statuses[-1], "")
        except ChannelError as by_status:
            raise ChannelError(reason, permanent=by_status.permanent) from None
    raise ChannelError(reason)


class AppriseChannel(Channel):
    """A channel whose only work is building the Apprise URL of a contact."""

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        raise NotImplementedError

    def message_url(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> str:
        """The Apprise URL for this message: a channel adds what depends on it (a priority)."""
        return self.apprise_url(contact, ctx)

    async def check_target(self, contact: ContactTarget, ctx: ChannelContext) -> None:
        """Raise ChannelError when the contact may not be sent to now (self_hosted.py: the
        target policy on the user's host)."""

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        normalized = super().normalize(contact, args, ctx)
        url = self.apprise_url(ContactTarget("", self.type, normalized), ctx)
        from apprise import Apprise

        if Apprise.instantiate(url) is None:
            raise ValidationError.field(
                "contact", "format", f"these are not the settings of a {self.type} contact"
            )
        return normalized

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        await self.check_target(contact, ctx)
        await send_apprise(self.message_url(contact, message, ctx), message, ctx.timeout)


class SmsChannel(AppriseChannel):
    """SMS through the operator's gateway: any Apprise SMS service (Twilio, Vonage, …)."""

    type: ClassVar[str] = "sms"

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        if not ctx.sms_url:
            raise ValidationError.field(
                "type",
                "unsupported",
                "sms contacts need an SMS gateway: the operator sets WATCHWIRE_SMS_APPRISE_URL",
            )
        phone = contact.strip().replace(" ", "").replace("-", "")
        if not _PHONE.match(phone):
            raise ValidationError.field(
                "contact", "phone", f"{contact!r} is not a phone number (+15551234567)"
            )
        return super().normalize(phone, args, ctx)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        if not ctx.sms_url:
            raise ChannelError("SMS is no longer configured on this server")
        return ctx.sms_url.replace("{phone}", _part(contact.value))


class PushoverChannel(AppriseChannel):
    """contact: the Pushover user key; args.token: the application token."""

    type: ClassVar[str] = "pushover"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"token", "device"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"token"})

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        token = required_arg(contact.args, "token", self.type)
        device = contact.args.get("device")
        suffix = f"/{_part(device)}" if device else ""
        return f"pover://{_part(contact.value)}@{_part(token)}{suffix}"


class PagerDutyChannel(AppriseChannel):
    """contact: the integration (routing) key; args.api_key: the REST API key."""

    type: ClassVar[str] = "pagerduty"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"api_key", "region"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"api_key"})

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        api_key = required_arg(contact.args, "api_key", self.type)
        region = contact.args.get("region", "us")
        return f"pagerduty://{_part(contact.value)}@{_part(api_key)}/?region={_part(region)}"


class WebhookUrlChannel(AppriseChannel):
    """Services whose contact value is their incoming-webhook URL, which Apprise reads as is."""

    url_prefixes: ClassVar[tuple[str, ...]] = ()

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        if not contact.strip().startswith(self.url_prefixes):
            raise ValidationError.field(
                "contact",
                "url",
                f"a {self.type} contact is a webhook URL ({self.url_prefixes[0]}…)",
            )
        return super().normalize(contact, args, ctx)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        return contact.value


class SlackChannel(WebhookUrlChannel):
    type: ClassVar[str] = "slack"
    url_prefixes: ClassVar[tuple[str, ...]] = ("https://hooks.slack.com/services/",)


class DiscordChannel(WebhookUrlChannel):
    type: ClassVar[str] = "discord"
    url_prefixes: ClassVar[tuple[str, ...]] = (
        "https://discord.com/api/webhooks/",
        "https://discordapp.com/api/webhooks/",
    )


class TelegramChannel(AppriseChannel):
    """contact: the chat id; args.bot_token: the bot's token from BotFather."""

    type: ClassVar[str] = "telegram"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"bot_token"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"bot_token"})

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        token = required_arg(contact.args, "bot_token", self.type)
        return f"tgram://{_part(token)}/{_part(contact.value)}"


class SnsChannel(AppriseChannel):
    """contact: the topic (name or ARN) or a phone number; args: AWS credentials and region."""

    type: ClassVar[str] = "aws-sns"
    allowed_args: ClassVar[frozenset[str]] = frozenset(
        {"access_key_id", "secret_access_key", "region"}
    )
    secret_args: ClassVar[frozenset[str]] = frozenset({"secret_access_key"})

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        key_id = required_arg(contact.args, "access_key_id", self.type)
        secret = required_arg(contact.args, "secret_access_key", self.type)
        region = required_arg(contact.args, "region", self.type)
        value = contact.value
        # A topic ARN ends in the topic name, which is what Apprise's `#topic` form takes.
        target = value if _PHONE.match(value) else "#" + value.rsplit(":", 1)[-1]
        return f"sns://{_part(key_id)}/{_part(secret)}/{_part(region)}/{_part(target)}"


class OpsgenieChannel(AppriseChannel):
    """contact: the API key of an Opsgenie API integration; args.region: us (default) or eu.
    The host is Opsgenie's own (api.opsgenie.com, api.eu.opsgenie.com), chosen by region."""

    type: ClassVar[str] = "opsgenie"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"region"})

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        if args.get("region", "us") not in ("us", "eu"):
            raise ValidationError.field("args.region", "enum", "args.region is us or eu")
        return super().normalize(contact, args, ctx)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        region = contact.args.get("region", "us")
        return f"opsgenie://{_part(contact.value)}/?region={_part(region)}"

    def message_url(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> str:
        # Apprise sends `P{priority}`: an outage is Opsgenie's P2 (High), the rest its default
        # P3. By number, since Apprise's names run the other way ("high" is P4, Opsgenie's Low).
        priority = 2 if message.severity == "failure" else 3
        return f"{self.apprise_url(contact, ctx)}&priority={priority}"


class AnyAppriseChannel(AppriseChannel):
    """contact: any Apprise URL. Only where the operator allows it
    (WATCHWIRE_APPRISE_ANY_URL=true): watchwire cannot put the target policy into Apprise's
    150 services, so such a URL may reach any address the server can (decision 0027)."""

    type: ClassVar[str] = "apprise"

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        if not ctx.apprise_any_url:
            raise ValidationError.field(
                "type",
                "unsupported",
                "apprise contacts are off on this server: the operator enables them with "
                "WATCHWIRE_APPRISE_ANY_URL=true",
            )
        return super().normalize(contact, args, ctx)

    def apprise_url(self, contact: ContactTarget, ctx: ChannelContext) -> str:
        if not ctx.apprise_any_url:
            raise ChannelError(
                "apprise contacts have been turned off on this server", permanent=True
            )
        return contact.value
