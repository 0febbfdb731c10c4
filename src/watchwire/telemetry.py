"""This process's Prometheus instruments: what the engine, the jobs, the delivery worker and
the API count and time, served at `/metrics` (decision 0034).

Each process counts its own work in memory: `serve` serves these at the API's `/metrics`,
each `worker` at its own `--metrics-listen` address, and Prometheus adds them up across
targets. What every process would report alike (queue depths, each monitor's state) is read
from the database when `/metrics` is scraped (services/metrics.py), not counted here.

The hot paths call the small functions below, never prometheus_client directly: a labelled
child is looked up once per label set and kept, so a check costs two lock-guarded updates
(~1.5 µs, bench/metrics.py) and no allocation beyond the label tuple's hash lookup.
"""

from __future__ import annotations

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)

REGISTRY = CollectorRegistry(auto_describe=True)
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

# Seconds: from a 5 ms loopback answer to a 30 s timeout, as blackbox_exporter users see them.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Seconds a check or job started after it came due: on time is well under a second.
LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

CHECKS = Counter(
    "watchwire_checks",
    "Monitor checks run by this process, by monitor kind and outcome (up, down, timeout, error).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
CHECK_DURATION = Histogram(
    "watchwire_check_duration_seconds",
    "Wall time of a monitor check's probe, by monitor kind.",
    ["kind"],
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
DISCARDED = Counter(
    "watchwire_check_results_discarded",
    "Check results not written because the monitor's lease had passed to another worker.",
    registry=REGISTRY,
)
LATENESS = Histogram(
    "watchwire_scheduler_lateness_seconds",
    "How long after its due time a check or job started, by queue (monitors, or a job's name).",
    ["queue"],
    buckets=LATENESS_BUCKETS,
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "watchwire_job_runs",
    "Scheduled job rows run (certificates, domains, blocklists), by job and outcome "
    "(done, lease_lost, error).",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "watchwire_job_duration_seconds",
    "Wall time of one scheduled job row's run, by job.",
    ["job"],
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "watchwire_delivery_attempts",
    "Delivery attempts written, by target (webhook, contact, callback), format (the webhook's "
    "payload format or the contact's channel) and the delivery's status after it.",
    ["target", "format", "status"],
    registry=REGISTRY,
)
DELIVERY_DURATION = Histogram(
    "watchwire_delivery_duration_seconds",
    "Wall time of one delivery attempt, by target.",
    ["target"],
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
REQUESTS = Counter(
    "watchwire_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_DURATION = Histogram(
    "watchwire_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by method and route template.",
    ["method", "route"],
    buckets=REQUEST_BUCKETS,
    registry=REGISTRY,
)

# Labelled children by label values: prometheus_client's own `labels()` takes a lock and
# validates its arguments on every call (~1.7 µs); a dict hit is a tenth of that.
Pair = tuple[Counter, Histogram]
_checks: dict[tuple[str, str], Pair] = {}
_jobs: dict[tuple[str, str], Pair] = {}
_deliveries: dict[tuple[str, str, str], Pair] = {}
_requests: dict[tuple[str, str, int], Pair] = {}
_late: dict[str, Histogram] = {}


def _lateness(queue: str) -> Histogram:
    found = _late.get(queue)
    if found is None:
        found = _late[queue] = LATENESS.labels(queue)
    return found


def queue_label(name: str) -> str:
    """A job's name as a label value: `cert monitors` → `cert_monitors`."""
    return name.replace(" ", "_")


def check_outcome(ok: bool, status: int | str | None) -> str:
    """The `outcome` label of a check: up, or why not (a timeout, an error, or down)."""
    if ok:
        return "up"
    return "timeout" if status == "timeout" else "error" if status == "error" else "down"


def check_ran(kind: str, outcome: str, seconds: float, late_seconds: float) -> None:
    """A monitor check finished: `seconds` its probe took, `late_seconds` after its due time
    it started."""
    found = _checks.get((kind, outcome))
    if found is None:
        found = _checks[kind, outcome] = (CHECKS.labels(kind, outcome), CHECK_DURATION.labels(kind))
    found[0].inc()
    found[1].observe(seconds)
    _lateness("monitors").observe(late_seconds)


def results_discarded(count: int) -> None:
    if count:
        DISCARDED.inc(count)


def job_ran(job: str, outcome: str, seconds: float, late_seconds: float) -> None:
    """A job's row was run (`outcome`: done, lease_lost or error)."""
    found = _jobs.get((job, outcome))
    if found is None:
        label = queue_label(job)
        found = _jobs[job, outcome] = (JOB_RUNS.labels(label, outcome), JOB_DURATION.labels(label))
    found[0].inc()
    found[1].observe(seconds)
    _lateness(queue_label(job)).observe(late_seconds)


def delivery_attempted(target: str, format: str, status: str, seconds: float) -> None:
    """A delivery attempt's outcome was written; `status` is the delivery's new status."""
    key = (target, format, status)
    found = _deliveries.get(key)
    if found is None:
        found = _deliveries[key] = (
            DELIVERIES.labels(target, format, status),
            DELIVERY_DURATION.labels(target),
        )
    found[0].inc()
    found[1].observe(seconds)


def request_answered(method: str, route: str, status: int, seconds: float) -> None:
    """An HTTP request was answered; `route` is its template (`/v1/monitors/{sid}`), never
    the path itself, so ids and tokens in paths do not become series."""
    key = (method, route, status)
    found = _requests.get(key)
    if found is None:
        found = _requests[key] = (
            REQUESTS.labels(method, route, str(status)),
            REQUEST_DURATION.labels(method, route),
        )
    found[0].inc()
    found[1].observe(seconds)
