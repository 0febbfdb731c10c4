"""`updown` (001): always an **array** of `{event, time, description, check, ...}`, with
updown's names for the uptime events. updown's own webhooks are unsigned: the Standard
Webhooks headers are all.

Rules (001): the User-Agent is `updown.io webhooks` (receivers filter on it), only a 200
counts as delivered (a 204 is retried), and updown removes an endpoint after 1,000
consecutive failures, so this format's endpoint is disabled then whatever the operator set."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from watchwire.clock import as_utc, isoformat
from watchwire.delivery.formats.base import DeliveryRules, WebhookFormat, only_200
from watchwire.events.event import Event
from watchwire.events.updown_check import CheckFacts, check_object

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


def _check(event: Event) -> dict[str, Any]:
    """The full check object as the monitor stood when the event was made, rendered by the
    function GET /api/checks/:token renders with (events/updown_check.py). A pulse check's
    `url` is the path of its heartbeat URL: the delivery knows no public address."""
    facts = event.payload.get("snapshot")
    if isinstance(facts, dict):
        return check_object(cast(CheckFacts, facts), now=as_utc(event.created_at))
    monitor = event.payload.get("monitor")
    # An event recorded before events carried their snapshot: what its payload names.
    if not isinstance(monitor, dict):
        return {}
    down = event.payload.get("state") == "down"
    return {
        "token": monitor.get("sid"),
        "url": _url(event.payload),
        "alias": monitor.get("name"),
        "down": down,
        "error": event.payload.get("error") if down else None,
    }


# How a check names its address in updown's words: `tcp://host:port`, `icmp://host`.
_SCHEMES = {"tcp": "tcp", "tcps": "tcps", "ping": "icmp"}


def _url(payload: dict[str, Any]) -> str:
    monitor = payload.get("monitor")
    if not isinstance(monitor, dict):
        return ""
    scheme = _SCHEMES.get(str(monitor.get("kind")))
    target = str(monitor.get("target", ""))
    return f"{scheme}://{target}" if scheme else target


def _time(text: Any) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return None


def _lasting(seconds: int) -> str:
    """updown's duration words: `45 seconds`, `10 minutes`, `3 hours`."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _downtime(event: Event) -> dict[str, Any] | None:
    """The downtime a `check.down` opens or a `check.up` closes (001's `downtime`)."""
    began = _time(event.payload.get("down_since"))
    if event.type not in ("monitor.down", "monitor.up") or began is None:
        return None
    ended = as_utc(event.created_at) if event.type == "monitor.up" else None
    error = event.payload.get("error" if ended is None else "down_error")
    return {
        "id": _id(event.payload.get("downtime_id")),
        "error": error,
        "started_at": isoformat(began),
        "ended_at": isoformat(ended) if ended else None,
        "duration": int((ended - began).total_seconds()) if ended else None,
        "partial": False,
    }


def describe(event: Event, downtime: dict[str, Any] | None) -> str:
    """The description in updown's words for its events; others keep watchwire's."""
    url = _url(event.payload)
    if event.type == "monitor.down" and downtime is not None:
        since = _time(downtime["started_at"])
        at = since.strftime("%H:%M:%S") if since else downtime["started_at"]
        return f"DOWN: {url} since {at} (UTC), reason: {downtime['error'] or 'check failed'}"
    if event.type == "monitor.up" and downtime is not None:
        reason = f", reason: {downtime['error']}" if downtime["error"] else ""
        return f"UP: {url} after being down for {_lasting(downtime['duration'])}{reason}"
    host = url.partition("://")[2].split("/")[0] or url
    certificate = event.payload.get("certificate")
    days = certificate.get("days_left") if isinstance(certificate, dict) else None
    if event.type == "ssl.expiring" and days is not None:
        return f"The SSL certificate served by {host} will expire in {days} days"
    if event.type in ("ssl.invalid", "ssl.expired"):
        return f"The SSL certificate served by {host} is not valid: {event.payload.get('error')}"
    if event.type == "ssl.valid":
        return f"The SSL certificate served by {host} is valid again"
    if event.type == "ssl.renewed":
        return f"The SSL certificate served by {host} has been renewed"
    if event.type == "monitor.apdex_drop":
        return f"Apdex of {url} dropped {event.payload.get('dropped_percent')}%"
    return event.description


def payload(event: Event) -> list[dict[str, Any]]:
    ssl = _ssl(event)
    skipped = ("snapshot", "downtime_id", "monitor", *(_SSL_FIELDS if ssl is not None else ()))
    extra = {k: v for k, v in event.payload.items() if k not in skipped}
    if ssl is not None:
        extra["ssl"] = ssl
    downtime = _downtime(event)
    if downtime is not None:
        extra["downtime"] = downtime
    item = {
        **extra,
        "event": EVENT_NAMES.get(event.type, event.type),
        "time": isoformat(event.created_at),
        "description": describe(event, downtime),
        "check": _check(event),
    }
    if event.type == "monitor.apdex_drop":
        # updown's shape: the drop as a percent string beside `last_metrics` (kept as is).
        item["apdex_dropped"] = f"{event.payload.get('dropped_percent')}%"
    return [item]


RULES = DeliveryRules(user_agent="updown.io webhooks", succeeded=only_200, disable_after=1000)

FORMAT = WebhookFormat(name="updown", payload=payload, rules=RULES)
