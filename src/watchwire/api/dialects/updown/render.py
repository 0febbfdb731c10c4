"""001's objects, rendered from the services' records: bare JSON, times exactly
`YYYY-MM-DDTHH:MM:SSZ` or null (updown's clients parse nothing else).

The check object carries every field of DIALECTS.md §3.2, each from the monitor record
(`favicon_url` is null: watchwire fetches no favicons). Recipient ids are `type:SID`
(`email:CO…`, `webhook:WH…`); a check told by the default routing lists the recipients that
routing reaches: every webhook of the account and the contacts of the check's contact groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request

from watchwire.api.dialects.updown.reading import rendered_type
from watchwire.clock import as_utc, isoformat, isoformat_or_none
from watchwire.engine.rollup import Figures
from watchwire.services.contacts import Contact
from watchwire.services.locations import Location
from watchwire.services.monitor_records import CheckRecord, Downtime, Monitor
from watchwire.services.status_pages.records import StatusPage
from watchwire.services.subscriptions import Subscription

_WRAPPED = {"tcp": "tcp", "tcps": "tcps", "ping": "icmp"}


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _time_text(text: str | None) -> str | None:
    """A stored ISO time (any offset, fractions) in updown's exact form."""
    if not text:
        return None
    try:
        return isoformat(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Recipients:
    """An account's recipients as a check's `recipients` names them."""

    contacts: Mapping[str, Contact]
    webhooks: tuple[str, ...]

    @classmethod
    def of(cls, contacts: Iterable[Contact], webhooks: Iterable[Subscription]) -> Recipients:
        return cls({c.sid: c for c in contacts}, tuple(w.sid for w in webhooks))

    def id_of(self, sid: str) -> str:
        if sid in self.contacts:
            return f"{self.contacts[sid].type}:{sid}"
        if sid.startswith("WH"):
            return f"webhook:{sid}"
        return f"contact_group:{sid}" if sid.startswith("CG") else sid

    def of_check(self, monitor: Monitor) -> list[str]:
        if monitor.recipients is not None:
            return [self.id_of(sid) for sid in monitor.recipients]
        groups = set(monitor.contact_groups)
        told = [sid for sid, c in self.contacts.items() if groups & set(c.contact_groups)]
        return [self.id_of(sid) for sid in (*told, *self.webhooks)]


def check_url(request: Request, monitor: Monitor) -> str:
    """The check's `url`: the web address, `tcp://host:port`, `icmp://host`, or a pulse
    check's heartbeat URL (web/pulse.py)."""
    if monitor.kind == "heartbeat":
        return f"{base_url(request)}/pulse/{monitor.ping_token}"
    scheme = _WRAPPED.get(monitor.kind)
    return f"{scheme}://{monitor.target}" if scheme else monitor.target


def _ssl(monitor: Monitor) -> dict[str, Any]:
    return {
        "tested_at": isoformat_or_none(monitor.ssl_checked_at),
        "expires_at": _time_text(monitor.ssl_not_after),
        "valid": monitor.ssl_valid,
        "error": monitor.ssl_error,
    }


def _domain(monitor: Monitor, now: datetime) -> dict[str, Any]:
    domain = monitor.domain
    expires = domain.expires_at if domain is not None else None
    return {
        "tested_at": isoformat_or_none(domain.checked_at if domain else None),
        "expires_at": isoformat_or_none(expires),
        "remaining_days": (as_utc(expires) - now).days if expires is not None else None,
        "source": "RDAP" if domain is not None else None,
    }


def check(
    request: Request,
    monitor: Monitor,
    *,
    uptime: float | None,
    recipients: Recipients,
    now: datetime,
) -> dict[str, Any]:
    down = monitor.state == "down"
    options = monitor.options
    return {
        "token": monitor.sid,
        "url": check_url(request, monitor),
        # An unnamed monitor is named by its target (or its SID): updown shows no alias.
        "alias": None if monitor.name in (monitor.target, monitor.sid) else monitor.name,
        "last_status": monitor.last_status if isinstance(monitor.last_status, int) else None,
        "uptime": 100.0 if uptime is None else round(uptime, 2),
        "down": down,
        "down_since": isoformat_or_none(monitor.state_changed_at) if down else None,
        "up_since": (
            isoformat_or_none(monitor.state_changed_at) if monitor.state == "up" else None
        ),
        "error": monitor.last_error if down else None,
        "period": monitor.interval,
        "apdex_t": monitor.apdex_t_ms / 1000,
        "string_match": options.get("keyword") or "",
        "enabled": not monitor.paused,
        "published": monitor.published_page is not None,
        "disabled_locations": list(monitor.disabled_locations),
        "recipients": recipients.of_check(monitor),
        "last_check_at": isoformat_or_none(monitor.last_checked_at),
        "next_check_at": isoformat_or_none(monitor.next_run_at),
        "created_at": isoformat(monitor.created_at),
        "mute_until": monitor.mute_until,
        "favicon_url": None,
        "custom_headers": dict(options.get("headers") or {}),
        "http_verb": options.get("method", "GET") if monitor.kind == "http" else None,
        "http_body": options.get("body") or "",
        "ssl": _ssl(monitor),
        "domain": _domain(monitor, now),
        "type": rendered_type(monitor),
    }


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
