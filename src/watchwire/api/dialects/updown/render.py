"""001's objects, rendered from the services' records: bare JSON, times exactly
`YYYY-MM-DDTHH:MM:SSZ` or null (updown's clients parse nothing else).

The check object carries every field of DIALECTS.md §3.2: its facts come from the monitor
record, its rendering is events/updown_check.py's, which the webhooks' `check` shares. Recipient ids are `type:SID`
(`email:CO…`, `webhook:WH…`); a check told by the default routing lists the recipients that
routing reaches: every webhook of the account and the contacts of the check's contact groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.engine.rollup import Figures
from watchwire.events import updown_check
from watchwire.events.updown_check import CheckFacts
from watchwire.services.contacts import Contact
from watchwire.services.locations import Location
from watchwire.services.monitor_records import CheckRecord, Downtime, Monitor
from watchwire.services.status_pages.records import StatusPage
from watchwire.services.subscriptions import Subscription


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@dataclass(frozen=True, slots=True)
class Recipients:
    """An account's recipients as a check's `recipients` names them."""

    contacts: Mapping[str, Contact]
    webhooks: tuple[str, ...]

    @classmethod
    def of(cls, contacts: Iterable[Contact], webhooks: Iterable[Subscription]) -> Recipients:
        return cls({c.sid: c for c in contacts}, tuple(w.sid for w in webhooks))

    def of_check(self, monitor: Monitor) -> list[str]:
        book = {sid: (c.type, c.contact_groups) for sid, c in self.contacts.items()}
        return updown_check.recipient_ids(
            monitor.recipients, monitor.contact_groups, book, self.webhooks
        )


def check_url(request: Request, monitor: Monitor) -> str:
    """The check's `url` (events/updown_check.py), a pulse URL under this server's address."""
    return updown_check.check_url(
        monitor.kind, monitor.target, monitor.ping_token, base_url(request)
    )


def facts(monitor: Monitor, *, uptime: float | None, recipients: Recipients) -> CheckFacts:
    """The facts of the check object from the service's record: the same facts a webhook's
    event carries (events/monitor_snapshot.py), so both render through one function."""
    domain = monitor.domain
    status = monitor.last_status
    return {
        "sid": monitor.sid,
        "name": monitor.name,
        "kind": monitor.kind,
        "target": monitor.target,
        "ping_token": monitor.ping_token,
        "options": dict(monitor.options),
        "interval": monitor.interval,
        "apdex_t_ms": monitor.apdex_t_ms,
        "paused": monitor.paused,
        "mute_until": monitor.mute_until,
        "state": monitor.state,
        "state_changed_at": isoformat_or_none(monitor.state_changed_at),
        "failing_since": isoformat_or_none(monitor.failing_since),
        "last_checked_at": isoformat_or_none(monitor.last_checked_at),
        "last_error": monitor.last_error,
        "last_status": status,
        "next_run_at": isoformat_or_none(monitor.next_run_at),
        "created_at": isoformat(monitor.created_at),
        "published": monitor.published_page is not None,
        "favicon_url": None,  # watchwire records no site icon yet
        "disabled_locations": list(monitor.disabled_locations),
        "ssl_checked_at": isoformat_or_none(monitor.ssl_checked_at),
        "ssl_not_after": monitor.ssl_not_after,
        "ssl_valid": monitor.ssl_valid,
        "ssl_error": monitor.ssl_error,
        "domain_known": domain is not None,
        "domain_checked_at": isoformat_or_none(domain.checked_at if domain else None),
        "domain_expires_at": isoformat_or_none(domain.expires_at if domain else None),
        "uptime": uptime,
        "recipients": recipients.of_check(monitor),
    }


def check(
    request: Request,
    monitor: Monitor,
    *,
    uptime: float | None,
    recipients: Recipients,
    now: datetime,
) -> dict[str, Any]:
    shown = facts(monitor, uptime=uptime, recipients=recipients)
    return updown_check.check_object(shown, now=now, base_url=base_url(request))


def downtime(item: Downtime) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "error": item.error,
        "started_at": isoformat(item.started_at),
        "ended_at": isoformat_or_none(item.ended_at),
        "duration": None if item.ongoing else item.duration,
        "partial": item.partial,
    }


def _timings(phases: Mapping[str, float], total: float | None) -> dict[str, int]:
    def phase(name: str) -> float:
        return phases.get(name) or 0.0

    return {
        "redirect": round(phase("redirect")),
        "namelookup": round(phase("dns")),
        "connection": round(phase("connect")),
        "handshake": round(phase("tls")),
        "response": round(phase("first_byte") + phase("transfer")),
        "total": round(total or 0),
    }


def result(monitor: Monitor, record: CheckRecord) -> dict[str, Any]:
    """One check that opened or closed a downtime (`results=true`), as far as watchwire
    records it: no headers or addresses are kept, so those keys are absent."""
    status = record.details.get("status")
    received = record.checked_at + timedelta(milliseconds=record.response_ms or 0)
    return {
        "status": record.outcome,
        "error": record.error,
        "request": {
            "sent_at": isoformat(record.checked_at),
            "http_method": monitor.options.get("method", "GET") if monitor.kind == "http" else None,
            "node": record.location,
        },
        "response": {
            "received_at": isoformat(received) if record.response_ms is not None else None,
            "final_url": monitor.target if monitor.kind == "http" else None,
            "code": status if isinstance(status, int) else None,
        },
        "timings": _timings(record.timings, record.response_ms),
    }


def metrics(figures: Figures) -> dict[str, Any]:
    """One span's figures in updown's shape; no `apdex` before a check is counted."""
    phases = {name: value for name, value in figures["timings"].items() if value is not None}
    shown: dict[str, Any] = {"uptime": figures["uptime"]}
    if figures["apdex"] is not None:
        shown["apdex"] = figures["apdex"]
    shown["requests"] = figures["requests"]
    shown["timings"] = _timings(phases, figures["response_time"]["avg"])
    return shown


def host(location: Location | None) -> dict[str, Any]:
    """The `host` of a `group=host` entry: the location's address and place."""
    return {
        "ip": location.ipv4 if location else None,
        "city": (location.city or None) if location else None,
        "country": (location.country or None) if location else None,
        "country_code": (location.country_code or None) if location else None,
    }


def recipient_of_contact(contact: Contact) -> dict[str, Any]:
    return {
        "id": f"{contact.type}:{contact.sid}",
        "type": contact.type,
        "name": contact.name,
        "value": contact.value,
    }


def recipient_of_webhook(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": f"webhook:{subscription.sid}",
        "type": "webhook",
        "name": subscription.name or subscription.url,
        "value": subscription.url,
    }


def webhook(subscription: Subscription) -> dict[str, Any]:
    return {"id": subscription.sid, "url": subscription.url}


def status_page(
    request: Request, page: StatusPage, *, access_key: str | None = None
) -> dict[str, Any]:
    """`access_key` is shown in the answer to the request that set it (watchwire keeps only
    its hash), null otherwise."""
    return {
        "token": page.token,
        "url": f"{base_url(request)}/p/{page.token}",
        "name": page.name,
        "description": page.description or None,
        "visibility": page.visibility,
        "access_key": access_key if page.visibility == "protected" else None,
        "checks": [c.sid for c in page.components if c.kind == "monitor"],
    }
