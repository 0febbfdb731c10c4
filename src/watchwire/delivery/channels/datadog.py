"""The `datadog` channel: an event in the contact's Datadog account (Events API v1).

Written by hand: Apprise has no Datadog service. One POST with the API key in a header; the
site (US1, EU, …) is chosen from Datadog's fixed list so the key can only go to Datadog.
"""

from __future__ import annotations

from typing import Any, ClassVar

from watchwire.delivery.channels._base import (
    Channel,
    ChannelContext,
    ContactTarget,
    Message,
    mask,
    required_arg,
)
from watchwire.delivery.channels._http import post_json
from watchwire.errors import ValidationError

SITES = frozenset(
    {
        "datadoghq.com",
        "us3.datadoghq.com",
        "us5.datadoghq.com",
        "datadoghq.eu",
        "ap1.datadoghq.com",
        "ap2.datadoghq.com",
        "ddog-gov.com",
    }
)
_ALERT_TYPES = {"failure": "error", "warning": "warning", "success": "success", "info": "info"}


class DatadogChannel(Channel):
    type: ClassVar[str] = "datadog"
    allowed_args: ClassVar[frozenset[str]] = frozenset({"api_key", "site", "tags"})
    secret_args: ClassVar[frozenset[str]] = frozenset({"api_key"})

    def __init__(self, api_base: str | None = None) -> None:
        # Tests point this at a local receiver; in service it is derived from `site`.
        self._api_base = api_base

    def normalize(self, contact: str, args: dict[str, Any], ctx: ChannelContext) -> dict[str, Any]:
        # 003 names the API key in args; a key given as the contact value is accepted too.
        key = str(args.get("api_key") or contact).strip()
        normalized = {**args, "api_key": required_arg({"api_key": key}, "api_key", self.type)}
        site = normalized.setdefault("site", "datadoghq.com")
        if site not in SITES:
            raise ValidationError.field(
                "args.site", "enum", f"site must be one of {', '.join(sorted(SITES))}"
            )
        tags = normalized.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValidationError.field("args.tags", "list", "tags must be a list of strings")
        # A key given as the contact value must not be shown back as the contact.
        label = contact if args.get("api_key") else mask(key)
        return super().normalize(label or key, normalized, ctx)

    def events_url(self, contact: ContactTarget) -> str:
        base = self._api_base or f"https://api.{contact.args.get('site', 'datadoghq.com')}"
        return f"{base}/api/v1/events"

    async def send(self, contact: ContactTarget, message: Message, ctx: ChannelContext) -> None:
        payload = {
            "title": message.title,
            "text": message.text,
            "alert_type": _ALERT_TYPES.get(message.severity, "info"),
            "source_type_name": "watchwire",
            "aggregation_key": message.event_sid,
            "tags": [f"event_type:{message.event_type}", *contact.args.get("tags", [])],
        }
        headers = {"DD-API-KEY": str(contact.args.get("api_key", ""))}
        await post_json(
            self.events_url(contact),
            payload,
            policy=ctx.policy,
            timeout=ctx.timeout,
            headers=headers,
        )
