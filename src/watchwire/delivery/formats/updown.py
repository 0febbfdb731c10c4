"""`updown` (001): always an **array** of `{event, time, description, check, ...}`, with
updown's names for the uptime events. updown's own webhooks are unsigned: the Standard
Webhooks headers are all.

Rules (001): the User-Agent is `updown.io webhooks` (receivers filter on it), only a 200
counts as delivered (a 204 is retried), and updown removes an endpoint after 1,000
consecutive failures, so this format's endpoint is disabled then whatever the operator set."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat
from watchwire.delivery.formats.base import DeliveryRules, WebhookFormat, only_200
from watchwire.events.event import Event

# updown's names for the catalogue's uptime events (001 / GAPS.md); others keep their name.
EVENT_NAMES = {
    "monitor.down": "check.down",
    "monitor.up": "check.up",
    # updown's performance_drop is the hourly Apdex trend, not one slow check: a
    # `monitor.degraded` goes out under its own name (receivers ignore unknown events, 001).
    "monitor.apdex_drop": "check.performance_drop",
    "ssl.expiring": "check.ssl_expiration",
    # An expired certificate is an invalid one to updown: it has no event of its own.
    "ssl.expired": "check.ssl_invalid",
    "ssl.invalid": "check.ssl_invalid",
    "ssl.valid": "check.ssl_valid",
    "ssl.renewed": "check.ssl_renewed",
}
# The native certificate fields that updown's `ssl` object carries instead.
_SSL_FIELDS = ("certificate", "old_certificate")


def _cert(certificate: dict[str, Any]) -> dict[str, Any]:
    """updown's certificate object (001, DIALECTS.md U67): subject, issuer, from, to,
    algorithm. `algorithm` is the signature algorithm [I: the fixtures show the signing
    scheme]; watchwire's key algorithm stays under its own name beside it."""
    return {
        "subject": certificate.get("subject"),
        "issuer": certificate.get("issuer"),
        "from": certificate.get("not_before"),
        "to": certificate.get("not_after"),
        "algorithm": certificate.get("signature_algorithm"),
        "key_algorithm": certificate.get("key_algorithm"),
    }


def _ssl(event: Event) -> dict[str, Any] | None:
    """The `ssl` object of a certificate event: `{new_cert, old_cert}` for a renewal, else
    `{cert, error, days_before_expiration}`."""
    certificate = event.payload.get("certificate")
    if not event.type.startswith("ssl.") or not isinstance(certificate, dict):
        return None
    if event.type == "ssl.renewed":
        old = event.payload.get("old_certificate")
        return {"new_cert": _cert(certificate), "old_cert": _cert(old) if old else None}
    return {
        "cert": _cert(certificate),
        "error": event.payload.get("error"),
        "days_before_expiration": certificate.get("days_left"),
    }


def _check(payload: dict[str, Any], *, certificate_event: bool = False) -> dict[str, Any]:
    check = payload.get("check")
    if isinstance(check, dict):
        return check
    monitor = payload.get("monitor")
    if not isinstance(monitor, dict):
        return {}
    return {
        "token": monitor.get("sid"),
        "url": monitor.get("target"),
        "alias": monitor.get("name"),
        "down": payload.get("state") == "down",
        # A certificate event's `error` is the certificate's (under `ssl`), not the check's.
        "error": None if certificate_event else payload.get("error"),
    }


def payload(event: Event) -> list[dict[str, Any]]:
    ssl = _ssl(event)
    skipped = ("check", "monitor", *(_SSL_FIELDS if ssl is not None else ()))
    extra = {k: v for k, v in event.payload.items() if k not in skipped}
    if ssl is not None:
        extra["ssl"] = ssl
    item = {
        **extra,
        "event": EVENT_NAMES.get(event.type, event.type),
        "time": isoformat(event.created_at),
        "description": event.description,
        "check": _check(event.payload, certificate_event=ssl is not None),
    }
    if event.type == "monitor.apdex_drop":
        # updown's shape: the drop as a percent string beside `last_metrics` (kept as is).
        item["apdex_dropped"] = f"{event.payload.get('dropped_percent')}%"
    return [item]


RULES = DeliveryRules(user_agent="updown.io webhooks", succeeded=only_200, disable_after=1000)

FORMAT = WebhookFormat(name="updown", payload=payload, rules=RULES)
