"""`standard`, watchwire's own format: `{id, type, timestamp, description, resource, data}`.
Signed with the Standard Webhooks headers only, like every format."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat
from watchwire.delivery.formats.base import WebhookFormat
from watchwire.events.event import Event


def payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.sid,
        "type": event.type,
        "timestamp": isoformat(event.created_at),
        "description": event.description,
        "resource": {"type": event.resource_type, "sid": event.resource_sid},
        "data": event.payload,
    }


FORMAT = WebhookFormat(name="standard", payload=payload)
