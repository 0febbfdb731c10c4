"""Notification channels: delivering one event to one contact.

    send(contact, event, ctx)          render the event once, hand it to the contact's channel
    normalize_args(type, contact, args, ctx)
                                       validate a contact's settings when it is created/changed

`CHANNELS` is the one registry, contact type -> channel. Hand-written: `email` (the operator's
SMTP relay, reply codes kept), `endpoint` (003's own JSON summary, under the target policy),
`datadog` and `aws-cloudwatch` (no Apprise service; CloudWatch Logs PutLogEvents, SigV4-signed).
Through Apprise: sms, pushover, pagerduty, slack, discord, telegram, aws-sns.
docs/contacts.md has the details.

A failed send raises ChannelError(message, permanent, retry_after); retrying is the delivery
worker's business, never a channel's.
"""

from __future__ import annotations

from typing import Any

from watchwire.delivery.channels._base import (
    Channel,
    ChannelContext,
    ChannelError,
    ContactTarget,
    Message,
    SmtpSettings,
    mask,
)
from watchwire.delivery.channels.apprise_channels import (
    DiscordChannel,
    PagerDutyChannel,
    PushoverChannel,
    SlackChannel,
    SmsChannel,
    SnsChannel,
    TelegramChannel,
)
from watchwire.delivery.channels.cloudwatch import CloudWatchChannel
from watchwire.delivery.channels.datadog import DatadogChannel
from watchwire.delivery.channels.email import EmailChannel
from watchwire.delivery.channels.endpoint import EndpointChannel
from watchwire.delivery.channels.messages import render
from watchwire.errors import ValidationError
from watchwire.events.event import Event

__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelContext",
    "ChannelError",
    "ContactTarget",
    "Message",
    "SmtpSettings",
    "mask",
    "normalize_args",
    "render",
    "send",
]

CHANNELS: dict[str, Channel] = {
    channel.type: channel
    for channel in (
        EmailChannel(),
        SmsChannel(),
        PushoverChannel(),
        PagerDutyChannel(),
        SlackChannel(),
        DatadogChannel(),
        DiscordChannel(),
        TelegramChannel(),
        EndpointChannel(),
        SnsChannel(),
        CloudWatchChannel(),
    )
}

# 003's eleven contact types, in its order.
CONTACT_TYPES: tuple[str, ...] = tuple(CHANNELS)


def normalize_args(
    type: str, contact: str, args: dict[str, Any], ctx: ChannelContext
) -> dict[str, Any]:
    """The arguments to store for a contact, or ValidationError naming the field at fault."""
    channel = CHANNELS.get(type)
    if channel is None:
        raise ValidationError.field(
            "type", "enum", f"unknown contact type {type!r} (one of {', '.join(CONTACT_TYPES)})"
        )
    return channel.normalize(contact, args, ctx)


async def send(contact: ContactTarget, event: Event, ctx: ChannelContext) -> None:
    """Deliver `event` to `contact`; raise ChannelError when it could not be delivered."""
    channel = CHANNELS.get(contact.type)
    if channel is None:
        raise ChannelError(f"no channel for contact type {contact.type!r}", permanent=True)
    await channel.send(contact, render(event), ctx)
