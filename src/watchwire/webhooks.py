"""For receivers of watchwire's webhooks: verifying a request, in every format.

    payload = verify(secret, headers, body)                 # Standard Webhooks headers
    payload = verify(secret, headers, body, format="enterno")

Each helper checks the signature over the raw body with a constant-time comparison and the
timestamp against a tolerance window (5 minutes by default, as the seed documents advise),
then returns the parsed JSON. Anything wrong raises `InvalidSignature` saying what.
`headers` may be any mapping; names are compared case-insensitively.

This module is the receiving side only; the sender lives in `watchwire.delivery`. Both
compute signatures with the same functions (delivery/signing.py for Standard Webhooks, each
format's module in delivery/formats/ for its own headers), so they cannot drift apart. A
registered format without a scheme of its own here (updown) is verified by its Standard
Webhooks headers, which every request carries.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from watchwire.delivery.formats import FORMATS, enterno, entri, generatorlabs
from watchwire.delivery.signing import standard_signature

DEFAULT_TOLERANCE = 300


class InvalidSignature(ValueError):
    """The request is not a genuine, fresh watchwire webhook."""


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _header(headers: dict[str, str], name: str) -> str:
    value = headers.get(name.lower())
    if not value:
        raise InvalidSignature(f"missing header {name}")
    return value


def _fresh(timestamp: str, tolerance: float, now: float | None) -> int:
    try:
        ts = int(timestamp)
    except ValueError:
        raise InvalidSignature(f"timestamp {timestamp!r} is not a Unix time") from None
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance window (replayed or clock skew)")
    return ts


def _parse(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidSignature("the body is not JSON") from None


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def verify_standard(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Standard Webhooks: any one of the space-separated `v1,` signatures must match."""
    h = _lower(headers)
    msg_id = _header(h, "webhook-id")
    ts = _fresh(_header(h, "webhook-timestamp"), tolerance, now)
    expected = standard_signature(secret, msg_id, ts, body)
    if not any(_equal(expected, sig) for sig in _header(h, "webhook-signature").split()):
        raise InvalidSignature("no matching webhook-signature")
    return _parse(body)


def verify_enterno(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Enterno V2: `sha256=` hex HMAC of "{X-Enterno-Timestamp}.{body}"."""
    h = _lower(headers)
    ts = _fresh(_header(h, "X-Enterno-Timestamp"), tolerance, now)
    expected = enterno.signature(secret, ts, body)
    if not _equal(expected, _header(h, "X-Enterno-Signature-V2")):
        raise InvalidSignature("X-Enterno-Signature-V2 does not match")
    return _parse(body)


def verify_generatorlabs(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Generator Labs: `t=<ts>,v1=<hex>` (one or more v1) over "{t}.{body}"."""
    parts = [p.split("=", 1) for p in _header(_lower(headers), "X-Webhook-Signature").split(",")]
    fields = [(p[0].strip(), p[1].strip()) for p in parts if len(p) == 2]
    stamps = [v for k, v in fields if k == "t"]
    if not stamps:
        raise InvalidSignature("X-Webhook-Signature has no t=")
    ts = _fresh(stamps[0], tolerance, now)
    expected = generatorlabs.signature(secret, ts, body)
    if not any(_equal(expected, v) for k, v in fields if k == "v1"):
        raise InvalidSignature("no matching v1 in X-Webhook-Signature")
    return _parse(body)


def verify_entri(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Entri V2: hex SHA-256 of payload id + Entri-Timestamp + secret."""
    h = _lower(headers)
    ts = _fresh(_header(h, "Entri-Timestamp"), tolerance, now)
    payload = _parse(body)
    payload_id = payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(payload_id, str):
        raise InvalidSignature("the body has no id")
    if not _equal(entri.signature(secret, payload_id, ts), _header(h, "Entri-Signature-V2")):
        raise InvalidSignature("Entri-Signature-V2 does not match")
    return payload


Verifier = Callable[..., Any]

# The formats with a signature scheme of their own; every other one is verified by the
# Standard Webhooks headers (updown's own webhooks are unsigned).
VERIFIERS: dict[str, Verifier] = {
    "enterno": verify_enterno,
    "generatorlabs": verify_generatorlabs,
    "entri": verify_entri,
}


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    format: str = "standard",
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Verify a request in `format`'s own signature scheme (a format of
    `watchwire.delivery.formats.FORMATS`); return the parsed body."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r} (one of {', '.join(FORMATS)})")
    verifier: Verifier = VERIFIERS.get(format, verify_standard)
    return verifier(secret, headers, body, tolerance=tolerance, now=now)
