"""`/v1/monitors`: uptime monitors (CRUD, pause/resume) and their history (results,
metrics, downtimes; a heartbeat's pings). Scope `monitors`; read-only keys can read. The service answers typed
records (services/monitor_records.py); this face renders them in v1's shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request
from typing_extensions import TypedDict

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.monitor_bodies import (
    CHANGE_SCHEMA,
    CREATE_SCHEMA,
    checked_change,
    checked_create,
)
from watchwire.api.native.openapi import answer
from watchwire.api.native.params import page_request
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.engine.rollup import Figures
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
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

router = APIRouter(tags=["monitors"])
Caller = Annotated[Principal, Depends(require("monitors"))]
Paging = Annotated[PageRequest, Depends(page_request)]
TimeFrom = Annotated[
    str | None, Query(alias="from", description="Start: ISO 8601, Unix time, `-7d`, `2 days ago`")
]
TimeTo = Annotated[str | None, Query(alias="to", description="End (default: now)")]
Fields = Annotated[dict[str, Any], Body()]


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


@router.post(
    "/monitors",
    status_code=201,
    summary="Create a monitor",
    openapi_extra=CREATE_SCHEMA,
    response_model=MonitorJson,
)
async def create_monitor(request: Request, body: Fields, principal: Caller) -> JsonResponse:
    fields, published = checked_create(body)
    monitor = await runtime_of(request).monitors.create(
        principal.account_sid, fields, min_interval=principal.plan.min_interval_seconds
    )
    monitor = await _publishing(request, principal, monitor, published)
    return ok(request, monitor_json(request, monitor), status=201)


async def _publishing(
    request: Request, principal: Principal, monitor: Monitor, published: bool | None
) -> Monitor:
    """The monitor after its `published` flag is set as asked (None: left as it is)."""
    if published is None or published == (monitor.published_page is not None):
        return monitor
    runtime = runtime_of(request)
    await runtime.status_pages.set_published(principal.account_sid, monitor.sid, published)
    return await runtime.monitors.get(principal.account_sid, monitor.sid)


@router.get("/monitors", summary="List monitors", response_model=list[MonitorJson])
async def list_monitors(
    request: Request,
    principal: Caller,
    page: Paging,
    tag: Annotated[str | None, Query(description="Only monitors with this tag")] = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.list(principal.account_sid, page, tag=tag)
    return ok(request, [monitor_json(request, m) for m in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}", summary="One monitor with its current state", response_model=MonitorJson
)
async def get_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.get(principal.account_sid, sid)
    return ok(request, monitor_json(request, monitor))


@router.patch(
    "/monitors/{sid}",
    summary="Change a monitor (fields not given stay)",
    openapi_extra=CHANGE_SCHEMA,
    response_model=MonitorJson,
)
async def update_monitor(
    request: Request, sid: str, body: Fields, principal: Caller
) -> JsonResponse:
    fields, published = checked_change(body)
    monitor = await runtime_of(request).monitors.update(
        principal.account_sid, sid, fields, min_interval=principal.plan.min_interval_seconds
    )
    monitor = await _publishing(request, principal, monitor, published)
    return ok(request, monitor_json(request, monitor))


@router.delete(
    "/monitors/{sid}", summary="Delete a monitor and its history", response_model=MonitorJson
)
async def delete_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.delete(principal.account_sid, sid)
    return ok(request, monitor_json(request, monitor))


@router.post("/monitors/{sid}/pause", summary="Stop checking a monitor", response_model=MonitorJson)
async def pause_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.set_paused(principal.account_sid, sid, True)
    return ok(request, monitor_json(request, monitor))


@router.post(
    "/monitors/{sid}/resume",
    summary="Check a paused monitor again, starting now",
    response_model=MonitorJson,
)
async def resume_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).monitors.set_paused(principal.account_sid, sid, False)
    return ok(request, monitor_json(request, monitor))


@router.get(
    "/monitors/{sid}/results",
    summary="Raw check results, newest first",
    response_model=list[CheckJson],
)
async def monitor_results(
    request: Request,
    sid: str,
    principal: Caller,
    page: Paging,
    since: TimeFrom = None,
    until: TimeTo = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.results(
        principal.account_sid, sid, page, since=since, until=until
    )
    return ok(request, [check_json(c) for c in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}/metrics",
    summary="Uptime, Apdex and response times",
    response_model=MetricsJson,
)
async def monitor_metrics(
    request: Request,
    sid: str,
    principal: Caller,
    since: TimeFrom = None,
    until: TimeTo = None,
    group: Annotated[
        Literal["hour", "day"] | None, Query(description="Also give one row per hour or day")
    ] = None,
) -> JsonResponse:
    metrics = await runtime_of(request).monitors.metrics(
        principal.account_sid, sid, since=since, until=until, group=group
    )
    return ok(request, metrics_json(metrics))


@router.get(
    "/monitors/{sid}/downtimes",
    summary="Periods the monitor was down",
    response_model=list[DowntimeJson],
)
async def monitor_downtimes(
    request: Request,
    sid: str,
    principal: Caller,
    page: Paging,
    since: TimeFrom = None,
    until: TimeTo = None,
) -> JsonResponse:
    result = await runtime_of(request).monitors.downtimes(
        principal.account_sid, sid, page, since=since, until=until
    )
    return ok(request, [downtime_json(d) for d in result.items], pagination=result.meta())


@router.get(
    "/monitors/{sid}/pings",
    summary="A heartbeat monitor's pings, newest first, with their bodies",
    response_model=list[PingJson],
)
async def monitor_pings(
    request: Request, sid: str, principal: Caller, page: Paging
) -> JsonResponse:
    result = await runtime_of(request).heartbeats.pings(principal.account_sid, sid, page)
    return ok(request, [ping_json(p) for p in result.items], pagination=result.meta())
