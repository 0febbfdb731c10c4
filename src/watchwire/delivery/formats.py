"""Webhook payload formats: one renderer per seed document, registered in `FORMATS`.

Each renderer turns one event into the JSON document its format's receivers expect. Events
keep watchwire's neutral shape (events/event.py); what differs is only the envelope:

    standard       {id, type, timestamp, description, resource, data}   (watchwire's own)
    enterno        {id, event, created_at, description, data}           (000; body not shown there)
    generatorlabs  {event_sid, event_type, event_date, ...payload}      (003's webhook bodies)
    entri          {id (uuid), user_id, domain, subdomain, type, data}  (002 / GAPS.md)
    updown         [{event, time, description, check, ...}]             (001: always an array)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC
from typing import Any

import orjson

from watchwire.clock import isoformat
from watchwire.events.event import Event

Renderer = Callable[[Event], Any]

# updown's names for the catalogue's uptime events (001 / GAPS.md); others keep their name.
UPDOWN_EVENTS = {
    "monitor.down": "check.down",
    "monitor.up": "check.up",
    "monitor.degraded": "check.performance_drop",
    "ssl.expiring": "check.ssl_expiration",
    "ssl.expired": "check.ssl_invalid",
}


def standard(event: Event) -> dict[str, Any]:
    return {
        "id": event.sid,
        "type": event.type,
        "timestamp": isoformat(event.created_at),
        "description": event.description,
        "resource": {"type": event.resource_type, "sid": event.resource_sid},
        "data": event.payload,
    }


def enterno(event: Event) -> dict[str, Any]:
    return {
        "id": event.sid,
        "event": event.type,
        "created_at": isoformat(event.created_at),
        "description": event.description,
        "data": event.payload,
    }


def generatorlabs(event: Event) -> dict[str, Any]:
    # 003 writes dates as 2025-12-29T18:30:27+00:00; its bodies put the event's data at the top.
    date = event.created_at.astimezone(UTC).replace(microsecond=0).isoformat()
    return {
        **event.payload,
        "event_sid": event.sid,
        "event_type": event.type,
        "event_date": date,
        "description": event.description,
    }


def entri_id(event_sid: str) -> str:
    """A UUID that is the event SID's 32 hex digits, so it is as unique and as stable."""
    return str(uuid.UUID(hex=event_sid[2:34]))


def entri(event: Event) -> dict[str, Any]:
    payload = event.payload
    data = payload.get("data")
    if not isinstance(data, dict):
        data = {k: v for k, v in payload.items() if k not in ("domain", "subdomain")}
    return {
        "id": entri_id(event.sid),
        # 002: the caller's own user id of the domain when it gave one, else the account.
        "user_id": payload.get("user_id") or event.account_sid,
        "domain": payload.get("domain", ""),
        "subdomain": payload.get("subdomain", ""),
        "type": event.type,
        "data": data,
    }


def _updown_check(payload: dict[str, Any]) -> dict[str, Any]:
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


def updown(event: Event) -> list[dict[str, Any]]:
    extra = {k: v for k, v in event.payload.items() if k not in ("check", "monitor")}
    item = {
        **extra,
        "event": UPDOWN_EVENTS.get(event.type, event.type),
        "time": isoformat(event.created_at),
        "description": event.description,
        "check": _updown_check(event.payload),
    }
    return [item]


FORMATS: dict[str, Renderer] = {
    "standard": standard,
    "enterno": enterno,
    "generatorlabs": generatorlabs,
    "entri": entri,
    "updown": updown,
}


def render(format: str, event: Event) -> bytes:
    """The request body of `event` in `format` (a key of FORMATS)."""
    return orjson.dumps(FORMATS[format](event))
