"""`GET /metrics`: Prometheus' text exposition format, behind a bearer token when one is set.

Two parts (decision 0034): this process's counters and histograms (watchwire/telemetry.py),
rendered by prometheus_client, and the database's gauges (services/metrics.py), rendered
here by hand: 10,000 monitors are 50,000 samples, which prometheus_client's generic writer
took ~0.6 s to format and this takes ~0.1 s (decision 0034), in a worker thread so the
event loop keeps answering meanwhile; gzip, when asked, is done in that thread too.
"""

from __future__ import annotations

import asyncio
import gzip
import hmac
import math

from fastapi import APIRouter, FastAPI
from prometheus_client import generate_latest
from starlette.requests import Request
from starlette.responses import Response

from watchwire import telemetry
from watchwire.api.auth import runtime_of
from watchwire.api.envelope import error
from watchwire.api.routing import include_flat
from watchwire.services.metrics import MetricsSnapshot, MonitorReading

router = APIRouter(tags=["metrics"])

_DAY = 86400.0
# Level 1: a scrape's text is repetitive enough to shrink several-fold even so, in a fifth
# of level 9's time (0.09 against 0.48 s for 8 MB here).
GZIP_LEVEL = 1
# The classic text format, which every Prometheus reads (prometheus_client's own
# CONTENT_TYPE_LATEST now names 1.0.0, for UTF-8 metric names that watchwire does not use).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def token_refusal(request: Request, token: str | None) -> Response | None:
    """The 401 of a request without `Authorization: Bearer <token>` when a token is set."""
    if token is None:
        return None
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        return None
    message = (
        "the metrics token does not match"
        if given
        else "/metrics needs Authorization: Bearer <WATCHWIRE_METRICS_TOKEN>"
    )
    return error(
        request,
        401,
        "auth_required",
        message,
        [{"field": "Authorization", "rule": "bearer_token", "message": message}],
        headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
    )


def process_exposition() -> bytes:
    """This process's own series (telemetry.REGISTRY)."""
    return generate_latest(telemetry.REGISTRY)


def _escape(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return value


def _number(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else "NaN"


def _family(lines: list[str], name: str, help: str) -> None:
    lines.append(f"# HELP {name} {help}\n# TYPE {name} gauge\n")


def _queues(snapshot: MetricsSnapshot, lines: list[str]) -> None:
    _family(
        lines,
        "watchwire_queue_due",
        "Rows due now and not claimed by any worker, by queue (monitors, deliveries, jobs).",
    )
    for queue, count in snapshot.due.items():
        lines.append(
            f'watchwire_queue_due{{queue="{_escape(telemetry.queue_label(queue))}"}} {count}\n'
        )
    _family(lines, "watchwire_deliveries_waiting", "Deliveries not yet made, by status.")
    for status, count in snapshot.waiting_deliveries.items():
        lines.append(f'watchwire_deliveries_waiting{{status="{status}"}} {count}\n')


def _agents(snapshot: MetricsSnapshot, lines: list[str]) -> None:
    if not snapshot.agents:
        return
    _family(
        lines,
        "watchwire_agent_last_seen_timestamp_seconds",
        "When each agent instance of a location last called the agent API (Unix time).",
    )
    for location, instance, seen, _ in snapshot.agents:
        labels = f'location="{_escape(location)}",instance="{_escape(instance)}"'
        lines.append(
            f"watchwire_agent_last_seen_timestamp_seconds{{{labels}}} {seen.timestamp()}\n"
        )
    _family(
        lines,
        "watchwire_agent_timed_out",
        "1 while an agent instance is silent past its location's timeout (agent.timeout).",
    )
    for location, instance, _, timed_out in snapshot.agents:
        labels = f'location="{_escape(location)}",instance="{_escape(instance)}"'
        lines.append(f"watchwire_agent_timed_out{{{labels}}} {int(timed_out)}\n")


def _monitors(readings: list[MonitorReading], now: float, lines: list[str]) -> None:
    labels = [f'monitor="{r.sid}",kind="{r.kind}",target="{_escape(r.target)}"' for r in readings]
    _family(
        lines,
        "watchwire_monitor_info",
        "1 per monitor, with its account and name (join on `monitor`).",
    )
    lines.extend(
        f'watchwire_monitor_info{{monitor="{r.sid}",account="{r.account_sid}",'
        f'name="{_escape(r.name)}"}} 1\n'
        for r in readings
    )
    _family(
        lines,
        "watchwire_monitor_up",
        "1 when the monitor's last check passed (up or degraded), 0 when it is down; "
        "absent before its first check and while paused (blackbox_exporter's probe_success).",
    )
    lines.extend(
        f"watchwire_monitor_up{{{label}}} {int(r.up)}\n"
        for label, r in zip(labels, readings, strict=True)
        if r.up is not None
    )
    _family(
        lines,
        "watchwire_monitor_last_duration_seconds",
        "Response time of the monitor's last check (probe_duration_seconds).",
    )
    lines.extend(
        f"watchwire_monitor_last_duration_seconds{{{label}}} {_number(r.last_duration_ms / 1000)}\n"
        for label, r in zip(labels, readings, strict=True)
        if r.last_duration_ms is not None
    )
    _family(
        lines,
        "watchwire_monitor_last_check_timestamp_seconds",
        "When the monitor was last checked (Unix time): alert on it to catch a stalled check.",
    )
    lines.extend(
        f"watchwire_monitor_last_check_timestamp_seconds{{{label}}} "
        f"{_number(r.last_checked_at.timestamp())}\n"
        for label, r in zip(labels, readings, strict=True)
        if r.last_checked_at is not None
    )
    expiring = [
        (label, r.certificate_expires_at.timestamp())
        for label, r in zip(labels, readings, strict=True)
        if r.certificate_expires_at is not None
    ]
    _family(
        lines,
        "watchwire_monitor_certificate_expiry_timestamp_seconds",
        "When the served certificate expires, Unix time (probe_ssl_earliest_cert_expiry).",
    )
    lines.extend(
        f"watchwire_monitor_certificate_expiry_timestamp_seconds{{{label}}} {_number(at)}\n"
        for label, at in expiring
    )
    _family(
        lines,
        "watchwire_monitor_certificate_expiry_days",
        "Days until the served certificate expires, as of this scrape (negative: expired).",
    )
    lines.extend(
        f"watchwire_monitor_certificate_expiry_days{{{label}}} {_number((at - now) / _DAY)}\n"
        for label, at in expiring
    )


def database_exposition(snapshot: MetricsSnapshot) -> bytes:
    """The database's series of `snapshot` in the text format (0.0.4)."""
    lines: list[str] = []
    _queues(snapshot, lines)
    _agents(snapshot, lines)
    if snapshot.monitors:
        _monitors(snapshot.monitors, snapshot.taken_at.timestamp(), lines)
    return "".join(lines).encode()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    runtime = runtime_of(request)
    refused = token_refusal(request, runtime.settings.metrics_token)
    if refused is not None:
        return refused
    snapshot = await runtime.metrics.snapshot(
        [(job.name, job.table) for job in runtime.jobs()],
        with_monitors=runtime.settings.metrics_monitors,
    )
    gzipped = _accepts_gzip(request)

    def render() -> bytes:
        body = process_exposition() + database_exposition(snapshot)
        return gzip.compress(body, GZIP_LEVEL) if gzipped else body

    body = await asyncio.to_thread(render)
    if not gzipped:
        return Response(body, media_type=CONTENT_TYPE)
    # Compressed here, in the thread: the compression middleware passes an encoded body on,
    # and would otherwise gzip megabytes at level 9 on the event loop.
    headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return Response(body, media_type=CONTENT_TYPE, headers=headers)


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


async def process_metrics(request: Request) -> Response:
    """`/metrics` of a process without the API (`watchwire worker --metrics-listen`): its
    own series only, the database's being the API's to serve."""
    token: str | None = request.app.state.metrics_token
    refused = token_refusal(request, token)
    if refused is not None:
        return refused
    return Response(await asyncio.to_thread(process_exposition), media_type=CONTENT_TYPE)


def install(app: FastAPI) -> None:
    include_flat(app.router, router)
