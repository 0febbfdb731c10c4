"""Notification channels: delivering one event to one contact.

    send(contact, event, ctx)          render the event once, hand it to the contact's channel
    normalize_args(type, contact, args, ctx)
                                       validate a contact's settings when it is created/changed

`CHANNELS` is the one registry, contact type -> channel. Hand-written: `email` (the operator's
SMTP relay, reply codes kept), `endpoint` (003's own JSON summary, under the target policy),
`datadog` and `aws-cloudwatch` (no Apprise service; CloudWatch Logs PutLogEvents, SigV4-signed).
Through Apprise: sms, pushover, pagerduty, slack, discord, telegram, aws-sns (003's), and
the native API's own: opsgenie, the self-hosted ntfy, gotify, mattermost, matrix and teams
(Power Automate Workflows), whose host passes the target policy (self_hosted.py), and
`apprise`, any Apprise URL where the operator allows it. docs/contacts.md has the details.

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
    AnyAppriseChannel,
    DiscordChannel,
    OpsgenieChannel,
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
from watchwire.delivery.channels.self_hosted import (
    GotifyChannel,
    MatrixChannel,
    MattermostChannel,
    NtfyChannel,
    WorkflowsChannel,
)
from watchwire.errors import ValidationError
from watchwire.events.event import Event

__all__ = [
    "CHANNELS",
    "CONTACT_TYPES",
    "NATIVE_TYPES",
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
        NtfyChannel(),
        GotifyChannel(),
        MattermostChannel(),
        MatrixChannel(),
        WorkflowsChannel(),
        OpsgenieChannel(),
        AnyAppriseChannel(),
    )
}

# 003's eleven contact types, in its order: what the Generator Labs dialect accepts.
CONTACT_TYPES: tuple[str, ...] = (
    "email", "sms", "pushover", "pagerduty", "slack", "datadog",
    "discord", "telegram", "endpoint", "aws-sns", "aws-cloudwatch",
)  # fmt: skip
# Every type the native API (and the contact service) accepts: 003's, then watchwire's own.
NATIVE_TYPES: tuple[str, ...] = tuple(CHANNELS)
if NATIVE_TYPES[: len(CONTACT_TYPES)] != CONTACT_TYPES:
    raise RuntimeError("CHANNELS must list 003's contact types first, in 003's order")


def normalize_args(
    type: str, contact: str, args: dict[str, Any], ctx: ChannelContext
) -> dict[str, Any]:
    """The arguments to store for a contact, or ValidationError naming the field at fault."""
    channel = CHANNELS.get(type)
    if channel is None:
        raise ValidationError.field(
            "type", "enum", f"unknown contact type {type!r} (one of {', '.join(NATIVE_TYPES)})"
        )
    return channel.normalize(contact, args, ctx)


async def send(contact: ContactTarget, event: Event, ctx: ChannelContext) -> None:
    """Deliver `event` to `contact`; raise ChannelError when it could not be delivered."""
    channel = CHANNELS.get(contact.type)
    if channel is None:
        raise ChannelError(f"no channel for contact type {contact.type!r}", permanent=True)
    await channel.send(contact, render(event), ctx)
