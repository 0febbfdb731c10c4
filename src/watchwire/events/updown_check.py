"""updown's check object (001, DIALECTS.md §3.2), rendered from a monitor's facts: the one
renderer of `GET /api/checks/:token` (api/dialects/updown/render.py builds the facts from the
service's record) and of the `check` of every updown webhook (delivery/formats/updown.py reads
the facts an event carries, events/monitor_snapshot.py). It lives in the events layer because
both the API and the delivery layer may import it, and neither may import the other.

`CheckFacts` is JSON (an event's payload is stored as JSON): times are ISO text, recipients
already named `type:SID`, the uptime already counted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from watchwire.clock import as_utc, isoformat


class CheckFacts(TypedDict):
    sid: str
    name: str
    kind: str
    target: str
    ping_token: str | None
    options: dict[str, Any]
    interval: int
    apdex_t_ms: float
    paused: bool
    mute_until: str | None
    state: str
    state_changed_at: str | None
    # The first failed check of the run that is down (its downtime's start).
    failing_since: str | None
    last_checked_at: str | None
    last_error: str | None
    # The stored text: an HTTP status is made of digits, an outcome is a word.
    last_status: str | int | None
    next_run_at: str | None
    created_at: str
    published: bool
    favicon_url: str | None
    disabled_locations: list[str]
    ssl_checked_at: str | None
    ssl_not_after: str | None
    ssl_valid: bool | None
    ssl_error: str | None
    domain_known: bool
    domain_checked_at: str | None
    domain_expires_at: str | None
    # Uptime % over the last 30 days (None: nothing counted yet).
    uptime: float | None
    recipients: list[str]


_WRAPPED = {"tcp": "tcp", "tcps": "tcps", "ping": "icmp"}


def iso(value: datetime | None) -> str | None:
    return isoformat(value) if value is not None else None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def _shown(text: str | None) -> str | None:
    """A stored ISO time (any offset, fractions) in updown's exact form."""
    moment = _time(text)
    return isoformat(moment) if moment is not None else None


def check_type(kind: str, target: str) -> str:
    """The updown type of a monitor (watchwire's other kinds keep their own names)."""
    if kind == "http":
        return "https" if target.lower().startswith("https://") else "http"
    return {"ping": "icmp", "heartbeat": "pulse"}.get(kind, kind)


def check_url(kind: str, target: str, ping_token: str | None, base_url: str) -> str:
    """The check's `url`: the web address, `tcp://host:port`, `icmp://host`, or a pulse
    check's heartbeat URL (web/pulse.py) under `base_url` (empty: the path alone)."""
    if kind == "heartbeat":
        return f"{base_url}/pulse/{ping_token}"
    scheme = _WRAPPED.get(kind)
    return f"{scheme}://{target}" if scheme else target


def recipient_ids(
    recipients: Iterable[str] | None,
    contact_groups: Iterable[str],
    contacts: Mapping[str, tuple[str, Iterable[str]]],
    webhooks: Iterable[str],
) -> list[str]:
    """A check's `recipients`: the SIDs it names as `type:SID`, or (default routing) the
    contacts of its contact groups and every active webhook of the account. `contacts` maps
    a contact's SID to its type and groups."""

    def id_of(sid: str) -> str:
        if sid in contacts:
            return f"{contacts[sid][0]}:{sid}"
        if sid.startswith("WH"):
            return f"webhook:{sid}"
        return f"contact_group:{sid}" if sid.startswith("CG") else sid

    if recipients is not None:
        return [id_of(sid) for sid in recipients]
    groups = set(contact_groups)
    told = [sid for sid, (_, of) in contacts.items() if groups & set(of)]
    return [id_of(sid) for sid in (*told, *webhooks)]


def check_object(facts: CheckFacts, *, now: datetime, base_url: str = "") -> dict[str, Any]:
    down = facts["state"] == "down"
    options = facts["options"]
    expires = _time(facts["domain_expires_at"])
    status = facts["last_status"]
    if isinstance(status, str):
        status = int(status) if status.isdigit() else None
    return {
        "token": facts["sid"],
        "url": check_url(facts["kind"], facts["target"], facts["ping_token"], base_url),
        # An unnamed monitor is named by its target (or its SID): updown shows no alias.
        "alias": None if facts["name"] in (facts["target"], facts["sid"]) else facts["name"],
        "last_status": status,
        "uptime": 100.0 if facts["uptime"] is None else round(facts["uptime"], 2),
        "down": down,
        "down_since": _shown(facts["failing_since"] or facts["state_changed_at"]) if down else None,
        "up_since": _shown(facts["state_changed_at"]) if facts["state"] == "up" else None,
        "error": facts["last_error"] if down else None,
        "period": facts["interval"],
        "apdex_t": facts["apdex_t_ms"] / 1000,
        "string_match": options.get("keyword") or "",
        "enabled": not facts["paused"],
        "published": facts["published"],
        "disabled_locations": list(facts["disabled_locations"]),
        "recipients": list(facts["recipients"]),
        "last_check_at": _shown(facts["last_checked_at"]),
        "next_check_at": _shown(facts["next_run_at"]),
        "created_at": _shown(facts["created_at"]),
        "mute_until": facts["mute_until"],
        "favicon_url": facts["favicon_url"],
        "custom_headers": dict(options.get("headers") or {}),
        "http_verb": options.get("method", "GET") if facts["kind"] == "http" else None,
        "http_body": options.get("body") or "",
        "ssl": {
            "tested_at": _shown(facts["ssl_checked_at"]),
            "expires_at": _shown(facts["ssl_not_after"]),
            "valid": facts["ssl_valid"],
            "error": facts["ssl_error"],
        },
        "domain": {
            "tested_at": _shown(facts["domain_checked_at"]),
            "expires_at": isoformat(expires) if expires is not None else None,
            "remaining_days": (expires - now).days if expires is not None else None,
            "source": "RDAP" if facts["domain_known"] else None,
        },
        "type": check_type(facts["kind"], facts["target"]),
    }
