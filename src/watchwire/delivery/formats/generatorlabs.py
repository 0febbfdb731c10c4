"""`generatorlabs` (003's webhook bodies): the event's data at the top level, with
`event_sid`, `event_type`, `event_date` and `description`.

Header: `X-Webhook-Signature: t=<timestamp>,v1=<hex HMAC(secret text, "{t}.{body}")>`, with
one `v1=` per secret during a rotation, as Stripe-style headers do."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from watchwire.delivery.formats.base import SignatureInput, WebhookFormat, text_hmac
from watchwire.events.event import Event


def payload(event: Event) -> dict[str, Any]:
    # 003 writes dates as 2025-12-29T18:30:27+00:00; its bodies put the event's data at the top.
    date = event.created_at.astimezone(UTC).replace(microsecond=0).isoformat()
    return {
        **event.payload,
        "event_sid": event.sid,
        "event_type": event.type,
        "event_date": date,
        "description": event.description,
    }


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """One `v1` value: the hex HMAC of "{t}.{body}"."""
    return text_hmac(secret, f"{timestamp}.".encode() + body)


def signature_headers(request: SignatureInput) -> dict[str, str]:
    versions = ",".join(
        f"v1={signature(secret, request.timestamp, request.body)}" for secret in request.secrets
    )
    return {"X-Webhook-Signature": f"t={request.timestamp},{versions}"}


FORMAT = WebhookFormat(name="generatorlabs", payload=payload, signature_headers=signature_headers)
