"""`entri` (002 / GAPS.md): `{id, user_id, domain, subdomain, type, data}`, where `id` is
the event SID's 32 hex digits as a UUID.

Headers: `Entri-Timestamp` and `Entri-Signature-V2`: the hex SHA-256 of the document's `id`,
the timestamp and the secret text (a plain hash, as Entri's receivers compute it; not an
HMAC). Entri's verifier compares one value, so only the current secret signs.

Rules: Entri retries a webhook 3 times (GAPS.md): a delivery in this format is sent once
and retried 3 times — 4 attempts in all — on the common schedule, then is dead."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson

from watchwire.delivery.formats.base import DeliveryRules, SignatureInput, WebhookFormat
from watchwire.events.event import Event


def payload_id(event_sid: str) -> str:
    """A UUID that is the event SID's 32 hex digits, so it is as unique and as stable."""
    return str(uuid.UUID(hex=event_sid[2:34]))


def payload(event: Event) -> dict[str, Any]:
    data = event.payload.get("data")
    if not isinstance(data, dict):
        data = {k: v for k, v in event.payload.items() if k not in ("domain", "subdomain")}
    return {
        "id": payload_id(event.sid),
        # 002: the caller's own user id of the domain when it gave one, else the account.
        "user_id": event.payload.get("user_id") or event.account_sid,
        "domain": event.payload.get("domain", ""),
        "subdomain": event.payload.get("subdomain", ""),
        "type": event.type,
        "data": data,
    }


def signature(secret: str, document_id: str, timestamp: int) -> str:
    return hashlib.sha256(f"{document_id}{timestamp}{secret}".encode()).hexdigest()


def _document_id(request: SignatureInput) -> str:
    """The id the receiver reads from the body (the message id when the body has none)."""
    if request.payload_id is not None:
        return request.payload_id
    try:
        document = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return request.msg_id
    found = document.get("id") if isinstance(document, dict) else None
    return found if isinstance(found, str) else request.msg_id


def signature_headers(request: SignatureInput) -> dict[str, str]:
    return {
        "Entri-Timestamp": str(request.timestamp),
        "Entri-Signature-V2": signature(
            request.secrets[0], _document_id(request), request.timestamp
        ),
    }


FORMAT = WebhookFormat(
    name="entri",
    payload=payload,
    signature_headers=signature_headers,
    rules=DeliveryRules(max_attempts=4),  # the first attempt and 3 retries
)
