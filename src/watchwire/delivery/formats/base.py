"""What a webhook format is made of: the document an event becomes and the signature headers
its receivers check, beside the Standard Webhooks headers every request carries
(delivery/signing.py). One `WebhookFormat` per module of this package; the registry in
`__init__.py` is the only place that lists them."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from watchwire.events.event import Event


@dataclass(frozen=True, slots=True)
class SignatureInput:
    """One request being signed: the subscription's secrets (the current one first, then a
    rotated one still in its grace period), the message id (the event SID), the Unix time
    of the attempt and the exact body."""

    secrets: tuple[str, ...]
    msg_id: str
    timestamp: int
    body: bytes
    # The subscription asked for a format's retired signature as well (enterno).
    legacy_signature: bool = False
    # The document's own id, for a format that signs it rather than the body (entri).
    payload_id: str | None = None


def no_headers(request: SignatureInput) -> dict[str, str]:
    """A format with no signature of its own: the Standard Webhooks headers are all."""
    return {}


def text_hmac(secret: str, message: bytes) -> str:
    """Hex HMAC-SHA256 keyed with the secret's text, `whsec_` prefix included: the string
    the text-keyed formats' documented verifiers are given."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class WebhookFormat:
    """One payload format. Calling it renders an event's document (a JSON value)."""

    name: str
    payload: Callable[[Event], Any]
    signature_headers: Callable[[SignatureInput], dict[str, str]] = no_headers

    def __call__(self, event: Event) -> Any:
        return self.payload(event)

    def render(self, event: Event) -> bytes:
        """The request body of `event` in this format."""
        return orjson.dumps(self.payload(event))
