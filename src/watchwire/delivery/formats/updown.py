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
    "ssl.expired": "check.ssl_invalid",
}


def _check(payload: dict[str, Any]) -> dict[str, Any]:
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
        "error": payload.get("error"),
    }


def payload(event: Event) -> list[dict[str, Any]]:
    extra = {k: v for k, v in event.payload.items() if k not in ("check", "monitor")}
    item = {
        **extra,
        "event": EVENT_NAMES.get(event.type, event.type),
        "time": isoformat(event.created_at),
        "description": event.description,
        "check": _check(event.payload),
    }
    if event.type == "monitor.apdex_drop":
        # updown's shape: the drop as a percent string beside `last_metrics` (kept as is).
        item["apdex_dropped"] = f"{event.payload.get('dropped_percent')}%"
    return [item]


RULES = DeliveryRules(user_agent="updown.io webhooks", succeeded=only_200, disable_after=1000)

FORMAT = WebhookFormat(name="updown", payload=payload, rules=RULES)
