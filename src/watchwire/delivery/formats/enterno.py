"""`enterno` (000): `{id, event, created_at, description, data}` (000 shows no body; this is
the same data under Enterno's names).

Headers: `X-Enterno-Timestamp` and `X-Enterno-Signature-V2: sha256=<hex HMAC(secret text,
"{timestamp}.{body}")>`; the body-only `X-Enterno-Signature` that Enterno retired on
2026-07-01 only when the subscription asks for it (`legacy_signature`). Enterno's documented
verifier compares one value, so only the current secret signs, even during a rotation."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat
from watchwire.delivery.formats.base import SignatureInput, WebhookFormat, text_hmac
from watchwire.events.event import Event


def payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.sid,
        "event": event.type,
        "created_at": isoformat(event.created_at),
        "description": event.description,
        "data": event.payload,
    }


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The V2 signature: `sha256=` and the hex HMAC of "{timestamp}.{body}"."""
    return "sha256=" + text_hmac(secret, f"{timestamp}.".encode() + body)


def legacy_signature(secret: str, body: bytes) -> str:
    """The retired body-only signature."""
    return "sha256=" + text_hmac(secret, body)


def signature_headers(request: SignatureInput) -> dict[str, str]:
    current = request.secrets[0]
    headers = {
        "X-Enterno-Timestamp": str(request.timestamp),
        "X-Enterno-Signature-V2": signature(current, request.timestamp, request.body),
    }
    if request.legacy_signature:
        headers["X-Enterno-Signature"] = legacy_signature(current, request.body)
    return headers


FORMAT = WebhookFormat(name="enterno", payload=payload, signature_headers=signature_headers)
