"""The services' records in 000's shapes. 000 shows the webhook and the event (delivery)
objects; the tools, monitors and status pages are collapsed there, and their shapes follow
GAPS.md's proposals (docs/dialects/enterno.md shows each). Integer ids are the aliases of
services/aliases.py; times are ISO 8601 UTC with a `Z`, as 000 writes them."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.deliveries import Delivery
from watchwire.services.monitor_records import Monitor
from watchwire.services.status_pages.records import StatusPage
from watchwire.services.subscriptions import Subscription

# -- tools --------------------------------------------------------------------------------


def tool(result: dict[str, Any]) -> dict[str, Any]:
    """A tool's result as the probe reports it, without the probe's own `kind`."""
    return {key: value for key, value in result.items() if key != "kind"}


def check(result: dict[str, Any]) -> dict[str, Any]:
    """check.php: the answer (status, headers, timings, redirects) and its health score."""
    response = result.get("response") or {}
    return {
        "url": result["url"],
        "final_url": result.get("final_url"),
        "method": response.get("method"),
        "status_code": result.get("status"),
        "http_version": response.get("http_version"),
        "headers": result.get("headers", {}),
        "redirects": response.get("redirects", []),
        "timing": response.get("timings", {}),
        "response_time_ms": result.get("response_ms"),
        "https_redirect": result.get("http_form"),
        "score": result.get("score"),
        "grade": result.get("grade"),
        "categories": result.get("categories", []),
        "findings": result.get("findings", []),
        "outcome": result["outcome"],
        "reason": result.get("reason"),
        "duration_ms": result.get("duration_ms"),
    }


def ping(result: dict[str, Any]) -> dict[str, Any]:
    """ping.php?type=ping: round-trip times as min/avg/max and the loss (GAPS.md)."""
    shown = tool(result)
    shown |= {
        "min_ms": result.get("rtt_min_ms"),
        "avg_ms": result.get("rtt_avg_ms"),
        "max_ms": result.get("rtt_max_ms"),
    }
    return shown


# -- monitors and status pages ------------------------------------------------------------

# 000's check types ⇄ watchwire's monitor kinds (GAPS.md: `port` is also spelled `tcp`).
CHECK_TYPES = {
    "http": "http",
    "ssl": "ssl",
    "api": "api",
    "port": "tcp",
    "tcp": "tcp",
    "udp": "udp",
    "heartbeat": "heartbeat",
}
_CHECK_TYPE_OF = {"http": "http", "headers": "http", "ssl": "ssl", "tcps": "ssl", "api": "api"}
_CHECK_TYPE_OF |= {"tcp": "port", "udp": "udp", "heartbeat": "heartbeat"}


def check_type(kind: str) -> str:
    return _CHECK_TYPE_OF.get(kind, kind)


def _status(item: Monitor) -> str:
    if item.paused:
        return "paused"
    return item.state if item.state in ("up", "down", "degraded") else "pending"


def split_host_port(text: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]:port` or a bare IPv6 address as (host, port or None)."""
    if text.startswith("[") and "]" in text:
        inside, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return inside, int(port) if port.isdigit() and len(port) <= 5 else None
    name, sep, port = text.rpartition(":")
    if sep and name and ":" not in name and port.isdigit() and len(port) <= 5:
        return name, int(port)
    return text, None


def host_and_port(item: Monitor) -> tuple[str, int | None]:
    """`url` is the host for the non-HTTP kinds, and the port has a field of its own."""
    if item.kind in ("http", "headers", "api", "heartbeat"):
        return item.target, None
    return split_host_port(item.target)


def monitor(item: Monitor, alias: int) -> dict[str, Any]:
    """A monitor, `id` its integer alias. Never its request headers' values, its request body or its heartbeat
    token (GAPS.md: "get never returns header values, request bodies or tokens"): the
    header names alone say what is sent."""
    url, port = host_and_port(item)
    headers = item.options.get("headers") or {}
    return {
        "id": alias,
        "name": item.name,
        "url": url,
        "check_type": check_type(item.kind),
        "interval": item.interval,
        # The locations chosen; empty: every location of the registry.
        "regions": list(item.locations or ()),
        "port": port,
        "keyword": item.options.get("keyword"),
        "method": item.options.get("method", "GET") if item.kind in ("http", "api") else None,
        "request_header_names": sorted(headers),
        "has_request_body": bool(item.options.get("body")),
        "cache_bust": bool(item.options.get("cache_bust")),
        # Off only when muted for good: a timed mute ends by itself (monitor_notify.py).
        "alerts": item.mute_until != "forever",
        "tags": list(item.tags),
        "group_name": item.group_name,
        "note": item.note,
        "status": _status(item),
        "last_check_at": isoformat_or_none(item.last_checked_at),
        "response_time_ms": (
            round(item.last_response_ms) if item.last_response_ms is not None else None
        ),
        "last_error": item.last_error,
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def status_page(item: StatusPage, monitor_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "id": item.token,
        "name": item.name,
        "description": item.description,
        "monitors": [monitor_ids[c.sid] for c in item.components if c.kind == "monitor"],
        "visibility": item.visibility,
        "url": f"/p/{item.token}",
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


# -- webhooks and events ------------------------------------------------------------------


def webhook(item: Subscription) -> dict[str, Any]:
    """000's webhook object; the secret masked, except in the create answer (once)."""
    return {
        "id": item.alias,
        "name": item.name,
        "url": item.url,
        "secret": item.secret if item.secret is not None else item.masked_secret,
        "events": list(item.events) if item.events is not None else None,
        "is_active": item.is_active,
        "legacy_signature": item.legacy_signature,
        "created_at": isoformat(item.created_at),
    }


def event(item: Delivery, webhook_ids: dict[str, int]) -> dict[str, Any]:
    """000's event (one delivery attempt series): its id and its webhook's as integers."""
    return {
        "id": item.alias,
        "webhook_id": webhook_ids.get(item.target_sid),
        "event_type": item.event_type,
        "status": item.status,
        "http_status_code": item.last_status_code,
        "attempts": item.attempt_count,
        "error": item.last_error,
        "created_at": isoformat(item.created_at),
        "delivered_at": isoformat_or_none(item.delivered_at),
        "next_attempt_at": isoformat_or_none(item.next_attempt_at),
    }
