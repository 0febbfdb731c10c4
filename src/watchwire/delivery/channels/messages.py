"""Rendering an event as a notification: a short title and a plain-text body.

Every channel sends the same Message, so an alert reads alike in an email, a Slack post and
an endpoint summary. The title names what happened and to what; the body is the event's
description followed by the scalar facts of its payload, one per line.
"""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat
from watchwire.delivery.channels._base import Message
from watchwire.events.catalog import CATALOG
from watchwire.events.event import Event

# Short headlines for the types people see most; the rest use the catalogue's meaning.
_HEADLINES: dict[str, str] = {
    "monitor.down": "DOWN",
    "monitor.up": "UP",
    "monitor.degraded": "SLOW",
    "monitor.apdex_drop": "APDEX DROP",
    "ssl.expiring": "Certificate expiring",
    "ssl.expired": "Certificate expired",
    "ssl.invalid": "Certificate invalid",
    "ssl.valid": "Certificate valid",
    "ssl.renewed": "Certificate renewed",
    "domain.expiring": "Domain expiring",
    "cert.expiration.trigger": "Certificate expiring",
    "cert.expiration.resolve": "Certificate renewed",
    "cert.error.trigger": "Certificate errors",
    "cert.error.resolve": "Certificate errors resolved",
    "cert.changed": "Certificate changed",
    "rbl.host.listed": "LISTED",
    "rbl.host.delisted": "DELISTED",
    "domain.record_missing": "DNS record missing",
    "domain.record_restored": "DNS records restored",
    "test": "Test notification",
}

_FAILURE = {
    "monitor.down",
    "ssl.expired",
    "ssl.invalid",
    "cert.error.trigger",
    "rbl.host.listed",
}
_WARNING = {
    "monitor.degraded",
    "monitor.apdex_drop",
    "ssl.expiring",
    "domain.expiring",
    "cert.expiration.trigger",
    "cert.changed",
    "domain.record_missing",
}
_SUCCESS = {
    "monitor.up",
    "ssl.valid",
    "ssl.renewed",
    "cert.expiration.resolve",
    "cert.error.resolve",
    "rbl.host.delisted",
    "domain.record_restored",
}

# Where the thing an event is about sits in its payload: monitor and certificate events nest
# it under `monitor`, blocklist events under `host`, webhook events under `webhook`; domain
# events keep `domain` at the top. The nested object is looked at first, so a title names
# the monitor "Shop", never the SID the object also carries.
_SUBJECT_OBJECTS = ("monitor", "host", "webhook")
# Keys that name it, best first: a person's name for it before its address.
_SUBJECT_KEYS = ("name", "alias", "hostname", "host", "domain", "url", "target")
# Never put these in a message body (they are for the contact's owner, not its inbox).
_HIDDEN_KEYS = frozenset({"authcode", "secret", "token"})


def severity(event_type: str) -> str:
    if event_type in _FAILURE:
        return "failure"
    if event_type in _WARNING:
        return "warning"
    if event_type in _SUCCESS:
        return "success"
    return "info"


def _named(values: dict[str, Any]) -> str:
    for key in _SUBJECT_KEYS:
        value = values.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _subject(event: Event) -> str:
    for key in _SUBJECT_OBJECTS:
        nested = event.payload.get(key)
        if isinstance(nested, dict) and (name := _named(nested)):
            return name
    return _named(event.payload) or event.resource_sid or ""


def _facts(payload: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in payload.items():
        if key in _HIDDEN_KEYS or isinstance(value, dict | list) or value is None:
            continue
        lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


def _confirmation(event: Event) -> Message:
    code = str(event.payload.get("authcode", ""))
    contact_sid = event.resource_sid or ""
    text = (
        f"Your watchwire confirmation code is {code}\n\n"
        "This contact will receive alerts once it is confirmed. Confirm it with\n"
        f'  POST /v1/contacts/{contact_sid}/confirm  {{"authcode": "{code}"}}\n'
        "If you did not expect this message, ignore it: nothing will be sent to you."
    )
    return Message(
        event_sid=event.sid,
        event_type=event.type,
        title="Confirm your watchwire contact",
        text=text,
        severity="info",
        url=event.payload.get("url") if isinstance(event.payload.get("url"), str) else None,
        authcode=code,
    )


def render(event: Event) -> Message:
    """The notification for an event, whatever its type."""
    if event.type == "contact.confirm":
        return _confirmation(event)
    known = CATALOG.get(event.type)
    headline = _HEADLINES.get(event.type) or (known.meaning.rstrip(".") if known else event.type)
    subject = _subject(event)
    title = f"{headline}: {subject}" if subject else headline
    body = [event.description, "", *_facts(event.payload)]
    body += [f"event: {event.type} ({event.sid})", f"time: {isoformat(event.created_at)}"]
    url = event.payload.get("url")
    return Message(
        event_sid=event.sid,
        event_type=event.type,
        title=title,
        text="\n".join(body).strip(),
        severity=severity(event.type),
        url=url if isinstance(url, str) else None,
    )
