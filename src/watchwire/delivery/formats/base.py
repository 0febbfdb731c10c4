"""What a webhook format is made of: the document an event becomes, the signature headers
its receivers check (beside the Standard Webhooks headers every request carries,
delivery/signing.py) and its delivery rules: the User-Agent its receivers look for, which
answers count as delivered, how many attempts it gets and after how many consecutive
failures its endpoint is disabled. One `WebhookFormat` per module of this package; the
registry in `__init__.py` is the only place that lists them."""

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


USER_AGENT = "watchwire-webhooks/1"


def any_2xx(status: int) -> bool:
    return 200 <= status < 300


def only_200(status: int) -> bool:
    return status == 200


@dataclass(frozen=True, slots=True)
class DeliveryRules:
    """How a format's deliveries are made and judged. `max_attempts` and `disable_after`
    None follow the operator's settings (25 attempts over about three days; disabled after
    1,000 consecutive failures); a number is the format's own promise and wins."""

    user_agent: str = USER_AGENT
    succeeded: Callable[[int], bool] = any_2xx
    max_attempts: int | None = None
    disable_after: int | None = None

    def attempts(self, configured: int) -> int:
        return self.max_attempts if self.max_attempts is not None else configured

    def disable_threshold(self, configured: int) -> int:
        return self.disable_after if self.disable_after is not None else configured


DEFAULT_RULES = DeliveryRules()


@dataclass(frozen=True, slots=True)
class WebhookFormat:
    """One payload format. Calling it renders an event's document (a JSON value)."""

    name: str
    payload: Callable[[Event], Any]
    signature_headers: Callable[[SignatureInput], dict[str, str]] = no_headers
    rules: DeliveryRules = DEFAULT_RULES

    def __call__(self, event: Event) -> Any:
        return self.payload(event)

    def render(self, event: Event) -> bytes:
        """The request body of `event` in this format."""
        return orjson.dumps(self.payload(event))
