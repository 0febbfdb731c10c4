"""The v1 shapes of monitors and their history: the `@answer` TypedDicts the OpenAPI
description is made of, and the renderers of the service's records (api/native/monitors.py
serves them)."""

from __future__ import annotations

from typing import Any, Literal

from starlette.requests import Request
from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.engine.rollup import Figures
from watchwire.services.monitor_records import (
    CheckRecord,
    Downtime,
    Metrics,
    MetricsSpan,
    Monitor,
    MonitorCertificate,
    MonitorDomain,
    Ping,
)


@answer
class MonitorCertificateJson(TypedDict):
    subject: str
    issuer: str
    not_before: str
    not_after: str
    key_algorithm: str
    signature_algorithm: str
    serial: str
    fingerprint_sha256: str


@answer
class SslJson(TypedDict):
    """The certificate watch: null fields until the certificate was first read."""

    not_after: str | None
    checked_at: str | None
    valid: bool | None
    error: str | None
    certificate: MonitorCertificateJson | None


@answer
class MonitorDomainJson(TypedDict):
    """The registration of the host's registered domain (RDAP, read daily)."""

    name: str
    expires_at: str | None
    checked_at: str | None
    error: str | None
    source: Literal["RDAP"]


@answer
class MonitorJson(TypedDict):
    sid: str
    name: str
    kind: str
    target: str
    options: dict[str, Any]
    interval: int
    retry_interval: int | None
    timeout: float
    confirmations: int
    recoveries: int
    degraded_ms: float | None
    apdex_t_ms: float
    ssl_expiry_days: list[int]
    expect: list[str]
    paused: bool
    tags: list[str]
    contact_groups: list[str]
    locations: list[str] | None
    disabled_locations: list[str]
    quorum: int | None
    mute_until: str | None
    recipients: list[str] | None
    state: str
    state_changed_at: str | None
    last_checked_at: str | None
    last_response_ms: float | None
    last_error: str | None
    last_status: int | str | None
    next_run_at: str | None
    ssl: SslJson
    domain: MonitorDomainJson | None
    ping_url: str | None
    last_ping_at: str | None
    published: bool
    published_url: str | None
    created_at: str
    updated_at: str


@answer
class PingJson(TypedDict):
    id: str
    received_at: str
    kind: str
    method: str
    body: str
    body_bytes: int
    truncated: bool
    remote_addr: str | None
    user_agent: str | None
    duration_ms: float | None


@answer
class CheckJson(TypedDict):
    checked_at: str
    outcome: str
    response_ms: float | None
    error: str | None
    location: str
    timings: dict[str, float]
    details: dict[str, Any]


@answer
class DowntimeJson(TypedDict):
    started_at: str
    ended_at: str | None
    duration: int
    ongoing: bool
    error: str | None


def ping_url(request: Request, token: str | None) -> str | None:
    """A heartbeat's ping URL on the listener the request came in on (web/pulse.py)."""
    return None if token is None else f"{str(request.base_url).rstrip('/')}/pulse/{token}"


def page_url(request: Request, token: str | None) -> str | None:
    """A status page's URL on the listener the request came in on (web/pages.py)."""
    return None if token is None else f"{str(request.base_url).rstrip('/')}/p/{token}"


def certificate_json(certificate: MonitorCertificate | None) -> MonitorCertificateJson | None:
    if certificate is None:
        return None
    return {
        "subject": certificate.subject,
        "issuer": certificate.issuer,
        "not_before": certificate.not_before,
        "not_after": certificate.not_after,
        "key_algorithm": certificate.key_algorithm,
        "signature_algorithm": certificate.signature_algorithm,
        "serial": certificate.serial,
        "fingerprint_sha256": certificate.fingerprint_sha256,
    }


def domain_json(domain: MonitorDomain | None) -> MonitorDomainJson | None:
    if domain is None:
        return None
    return {
        "name": domain.name,
        "expires_at": isoformat_or_none(domain.expires_at),
        "checked_at": isoformat_or_none(domain.checked_at),
        "error": domain.error,
        "source": "RDAP",
    }


def monitor_json(request: Request, monitor: Monitor) -> MonitorJson:
    return {
        "sid": monitor.sid,
        "name": monitor.name,
        "kind": monitor.kind,
        "target": monitor.target,
        "options": monitor.options,
        "interval": monitor.interval,
        "retry_interval": monitor.retry_interval,
        "timeout": monitor.timeout,
        "confirmations": monitor.confirmations,
        "recoveries": monitor.recoveries,
        "degraded_ms": monitor.degraded_ms,
        "apdex_t_ms": monitor.apdex_t_ms,
        "ssl_expiry_days": list(monitor.ssl_expiry_days),
        "expect": list(monitor.expect),
        "paused": monitor.paused,
        "tags": list(monitor.tags),
        "contact_groups": list(monitor.contact_groups),
        "locations": None if monitor.locations is None else list(monitor.locations),
        "disabled_locations": list(monitor.disabled_locations),
        "quorum": monitor.quorum,
        "mute_until": monitor.mute_until,
        "recipients": None if monitor.recipients is None else list(monitor.recipients),
        "state": monitor.state,
        "state_changed_at": isoformat_or_none(monitor.state_changed_at),
        "last_checked_at": isoformat_or_none(monitor.last_checked_at),
        "last_response_ms": monitor.last_response_ms,
        "last_error": monitor.last_error,
        "last_status": monitor.last_status,
        "next_run_at": isoformat_or_none(monitor.next_run_at),
        "ssl": {
            "not_after": monitor.ssl_not_after,
            "checked_at": isoformat_or_none(monitor.ssl_checked_at),
            "valid": monitor.ssl_valid,
            "error": monitor.ssl_error,
            "certificate": certificate_json(monitor.ssl_certificate),
        },
        "domain": domain_json(monitor.domain),
        "ping_url": ping_url(request, monitor.ping_token),
        "last_ping_at": isoformat_or_none(monitor.last_ping_at),
        "published": monitor.published_page is not None,
        "published_url": page_url(request, monitor.published_page),
        "created_at": isoformat(monitor.created_at),
        "updated_at": isoformat(monitor.updated_at),
    }


def ping_json(ping: Ping) -> PingJson:
    return {
        "id": ping.id,
        "received_at": isoformat(ping.received_at),
        "kind": ping.kind,
        "method": ping.method,
        "body": ping.body,
        "body_bytes": ping.body_bytes,
        "truncated": ping.truncated,
        "remote_addr": ping.remote_addr,
        "user_agent": ping.user_agent,
        "duration_ms": ping.duration_ms,
    }


def check_json(check: CheckRecord) -> CheckJson:
    return {
        "checked_at": isoformat(check.checked_at),
        "outcome": check.outcome,
        "response_ms": check.response_ms,
        "error": check.error,
        "location": check.location,
        "timings": check.timings,
        "details": check.details,
    }


def downtime_json(downtime: Downtime) -> DowntimeJson:
    return {
        "started_at": isoformat(downtime.started_at),
        "ended_at": isoformat_or_none(downtime.ended_at),
        "duration": downtime.duration,
        "ongoing": downtime.ongoing,
        "error": downtime.error,
    }


# `from` is a keyword: the span's bounds are declared in the functional form.
_Bounds = TypedDict("_Bounds", {"from": str, "to": str})


@answer
class MetricsSpanJson(_Bounds, Figures):
    pass


@answer
class GroupedMetricsJson(MetricsSpanJson):
    group: str
    groups: list[MetricsSpanJson]


# The whole span, and with `group` one span per hour or day too.
MetricsJson = MetricsSpanJson | GroupedMetricsJson


def _span_json(span: MetricsSpan) -> MetricsSpanJson:
    return {"from": isoformat(span.start), "to": isoformat(span.end), **span.figures}


def metrics_json(metrics: Metrics) -> MetricsJson:
    whole = _span_json(metrics.whole)
    if not metrics.group:
        return whole
    return GroupedMetricsJson(
        **whole, group=metrics.group, groups=[_span_json(span) for span in metrics.groups]
    )
