"""Webhook signatures: the Standard Webhooks headers every request carries, whatever its
format, plus the format's own headers (delivery/formats/<format>.py).

    webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of
    "{id}.{timestamp}.{body}" keyed with the base64-decoded whsec_ secret>
    (several space-separated signatures while a rotated secret is still valid)

Receivers verify them with `watchwire.webhooks`, which reuses these functions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from watchwire.delivery.formats import FORMATS
from watchwire.delivery.formats.base import SignatureInput

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_key(secret: str) -> bytes:
    """The HMAC key Standard Webhooks uses: the decoded bytes of a whsec_ secret, else the
    UTF-8 bytes of an owner-chosen secret."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :] + "==")
        except binascii.Error:
            pass
    return secret.encode()


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    message = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    format: str,
    signing_secrets: Sequence[str],
    *,
    msg_id: str,
    timestamp: int,
    body: bytes,
    legacy_signature: bool = False,
    entri_id: str | None = None,
) -> dict[str, str]:
    """Every signature header of one request in `format` (a key of FORMATS).
    `signing_secrets` is the current secret first, then a rotated one still in its grace
    period; each format decides which of them sign its own headers. `entri_id` is the
    document id the entri format signs (default: the body's `id`)."""
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(s, msg_id, timestamp, body) for s in signing_secrets
        ),
    }
    request = SignatureInput(
        tuple(signing_secrets), msg_id, timestamp, body, legacy_signature, entri_id
    )
    headers.update(FORMATS[format].signature_headers(request))
    return headers
