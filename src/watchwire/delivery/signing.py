"""Webhook signatures: Standard Webhooks on every request, plus each seed format's own header.

    standard       webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of
                   "{id}.{timestamp}.{body}" keyed with the base64-decoded whsec_ secret>
                   (several space-separated signatures while a rotated secret is still valid)
    enterno        X-Enterno-Timestamp, X-Enterno-Signature-V2: sha256=<hex HMAC(secret text,
                   "{timestamp}.{body}")>; the body-only X-Enterno-Signature only on request
    generatorlabs  X-Webhook-Signature: t=<timestamp>,v1=<hex HMAC(secret text, "{t}.{body}")>
    entri          Entri-Timestamp, Entri-Signature-V2: hex SHA-256 of id + timestamp + secret
                   (a plain hash, as Entri's receivers compute it; not an HMAC)
    updown         nothing more: updown's webhooks are unsigned

The text-keyed formats use the whole secret string, `whsec_` prefix included, because that
is the string their documented verifiers are given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

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


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    digest = _hmac(standard_key(secret), f"{msg_id}.{timestamp}.".encode() + body)
    return "v1," + base64.b64encode(digest).decode()


def enterno_signature(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + _hmac(secret.encode(), f"{timestamp}.".encode() + body).hex()


def enterno_legacy_signature(secret: str, body: bytes) -> str:
    return "sha256=" + _hmac(secret.encode(), body).hex()


def generatorlabs_v1(secret: str, timestamp: int, body: bytes) -> str:
    return _hmac(secret.encode(), f"{timestamp}.".encode() + body).hex()


def entri_signature(secret: str, payload_id: str, timestamp: int) -> str:
    return hashlib.sha256(f"{payload_id}{timestamp}{secret}".encode()).hexdigest()


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
    """Every signature header of one request. `signing_secrets` is the current secret first,
    then a rotated one still in its grace period. The formats whose documented verifiers
    compare a single value (enterno, entri) are signed with the current secret only;
    Generator Labs' header carries one `v1=` per secret, as Stripe-style headers do."""
    current = signing_secrets[0]
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(s, msg_id, timestamp, body) for s in signing_secrets
        ),
    }
    if format == "enterno":
        headers["X-Enterno-Timestamp"] = str(timestamp)
        headers["X-Enterno-Signature-V2"] = enterno_signature(current, timestamp, body)
        if legacy_signature:
            headers["X-Enterno-Signature"] = enterno_legacy_signature(current, body)
    elif format == "generatorlabs":
        versions = ",".join(f"v1={generatorlabs_v1(s, timestamp, body)}" for s in signing_secrets)
        headers["X-Webhook-Signature"] = f"t={timestamp},{versions}"
    elif format == "entri":
        headers["Entri-Timestamp"] = str(timestamp)
        headers["Entri-Signature-V2"] = entri_signature(current, entri_id or msg_id, timestamp)
    return headers
