"""What the monitor service answers: typed, face-neutral records of a monitor, one of its
check results, a downtime and its metrics. Times are datetimes and durations seconds; each
face renders them in its own document's shape (the native one: api/native/render_monitors.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from watchwire.clock import as_utc
from watchwire.engine.rollup import Figures


@dataclass(frozen=True, slots=True)
class MonitorCertificate:
    """The leaf certificate of a monitored site as last read (engine/ssl_watch.py)."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    key_algorithm: str
    signature_algorithm: str
    serial: str
    fingerprint_sha256: str


def certificate_of(stored: dict[str, Any] | None) -> MonitorCertificate | None:
    if not stored:
        return None
    return MonitorCertificate(
        **{name: str(stored.get(name, "")) for name in MonitorCertificate.__slots__}
    )


@dataclass(frozen=True, slots=True)
class MonitorDomain:
    """The registration of the monitored host's registered domain, read over RDAP daily
    (engine/domain_watch.py); `expires_at` stays the last one read while the registry does
    not answer (`error` says why)."""

    name: str
    expires_at: datetime | None
    checked_at: datetime | None
    error: str | None


def domain_of(row: Any) -> MonitorDomain | None:
    if row.domain_name is None:
        return None
    return MonitorDomain(
        name=row.domain_name,
        expires_at=as_utc(row.domain_expires_at),
        checked_at=as_utc(row.domain_checked_at),
        error=row.domain_error,
    )


@dataclass(frozen=True, slots=True)
class Monitor:
    """An uptime monitor: its fields (named as a face gives them) and its current state."""

    sid: str
    name: str
    kind: str
    target: str
    options: dict[str, Any]
    interval: int  # seconds
    retry_interval: int | None  # seconds between checks while failing; None: the default
    timeout: float  # seconds
    confirmations: int
    recoveries: int
    degraded_ms: float | None
    apdex_t_ms: float
    ssl_expiry_days: tuple[int, ...]
    expect: tuple[str, ...]
    paused: bool
    tags: tuple[str, ...]
    contact_groups: tuple[str, ...]
    # An ISO time, "recovery" or "forever" (None: not muted); the SIDs told alone (None: the
    # default routing).
    mute_until: str | None
    recipients: tuple[str, ...] | None
    state: str
    state_changed_at: datetime | None
    last_checked_at: datetime | None
    last_response_ms: float | None
    last_error: str | None
    # The last check's HTTP status (an int) or probe outcome (`up`, `down`, `error`,
    # `timeout`); None before the first check.
    last_status: int | str | None
    next_run_at: datetime | None
    # The certificate watch (https targets, tcps and ssl kinds): the leaf's expiry as read,
    # when it was read, whether it is valid (None: not read yet), why not, the leaf.
    ssl_not_after: str | None
    ssl_checked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    # Heartbeat monitors: the secret of the ping URL (each face renders the URL) and the
    # last success or failure ping. None for every other kind.
    ping_token: str | None = None
    last_ping_at: datetime | None = None
    # The token of the monitor's own public page while it is published, else None.
    published_page: str | None = None
    ssl_valid: bool | None = None
    ssl_error: str | None = None
    ssl_certificate: MonitorCertificate | None = None
    # None until the domain of the host was first read, and for hosts without one.
    domain: MonitorDomain | None = None
    # A free text kept with the monitor, and the group it is filed under (None: none).
    note: str = ""
    group_name: str | None = None
    # The locations chosen (None: every one), those left out, and how many must see it
    # down for an outage (None: a majority of those that answered).
    locations: tuple[str, ...] | None = None
    disabled_locations: tuple[str, ...] = ()
    quorum: int | None = None
    # While down (or failing towards down): the first failed check of the run.
    failing_since: datetime | None = None


def last_status_of(stored: str | None) -> int | str | None:
    """The stored text as the record holds it: an HTTP status is the only value made of
    digits (outcomes are words), so digits are a number again."""
    if stored is not None and stored.isdigit():
        return int(stored)
    return stored


def monitor_of(row: Any) -> Monitor:
    return Monitor(
        sid=row.sid,
        name=row.name,
        kind=row.kind,
        target=row.target,
        options=dict(row.options),
        interval=row.interval_seconds,
        retry_interval=row.retry_interval_seconds,
        timeout=row.timeout_seconds,
        confirmations=row.confirmations,
        recoveries=row.recoveries,
        degraded_ms=row.degraded_ms,
        apdex_t_ms=row.apdex_t_ms,
        ssl_expiry_days=tuple(row.ssl_expiry_days),
        expect=tuple(row.expect),
        paused=row.paused,
        tags=tuple(row.tags),
        contact_groups=tuple(row.contact_groups),
        mute_until=row.mute_until,
        recipients=None if row.recipients is None else tuple(row.recipients),
        state=row.state,
        state_changed_at=row.state_changed_at,
        last_checked_at=row.last_checked_at,
        last_response_ms=row.last_response_ms,
        last_error=row.last_error,
        last_status=last_status_of(row.last_status),
        next_run_at=row.next_run_at,
        ssl_not_after=row.ssl_not_after,
        ssl_checked_at=row.ssl_checked_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        ping_token=row.ping_token,
        last_ping_at=row.last_ping_at,
        published_page=row.published_page,
        ssl_valid=row.ssl_valid,
        ssl_error=row.ssl_error,
        ssl_certificate=certificate_of(row.ssl_certificate),
        domain=domain_of(row),
        note=row.note,
        group_name=row.group_name,
        locations=None if row.locations is None else tuple(row.locations),
        disabled_locations=tuple(row.disabled_locations or ()),
        quorum=row.quorum,
        failing_since=as_utc(row.failing_since),
    )


@dataclass(frozen=True, slots=True)
class Ping:
    """One ping a heartbeat monitor received: its UUID, kind (success, start or fail), the
    request's method, source and user agent, the body as kept (the first `BODY_LIMIT`
    bytes, as text) with its size as sent, and the run time from the `/start` before it."""

    id: str
    received_at: datetime
    kind: str
    method: str
    body: str
    body_bytes: int
    truncated: bool
    remote_addr: str | None
    user_agent: str | None
    duration_ms: float | None


def ping_of(row: Any) -> Ping:
    return Ping(
        id=row.id,
        received_at=row.received_at,
        kind=row.kind,
        method=row.method,
        body=row.body,
        body_bytes=row.body_bytes,
        truncated=row.truncated,
        remote_addr=row.remote_addr,
        user_agent=row.user_agent,
        duration_ms=row.duration_ms,
    )


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One check of a monitor as recorded: its outcome (up, down or degraded), response
    time, error, where it ran from, its timing phases and its kind's details."""

    checked_at: datetime
    outcome: str
    response_ms: float | None
    error: str | None
    location: str
    timings: dict[str, float]
    details: dict[str, Any]


def check_of(row: Any) -> CheckRecord:
    return CheckRecord(
        checked_at=row.checked_at,
        outcome=row.outcome,
        response_ms=row.response_ms,
        error=row.error,
        location=row.location,
        timings=row.details.get("timings", {}),
        details={k: v for k, v in row.details.items() if k != "timings"},
    )


@dataclass(frozen=True, slots=True)
class Downtime:
    """A period a monitor was down; `ended_at` None while it still is."""

    started_at: datetime
    ended_at: datetime | None
    duration: int  # seconds, up to now while ongoing
    error: str | None
    # Its row's integer id; the locations that saw it (None: the server's own only), and
    # whether they were fewer than the quorum: one place's trouble, not an outage (decision
    # 0032).
    id: int = 0
    locations: tuple[str, ...] | None = None
    partial: bool = False

    @property
    def ongoing(self) -> bool:
        return self.ended_at is None


def downtime_of(row: Any, now: datetime) -> Downtime:
    began = as_utc(row.started_at) or now
    ended = as_utc(row.ended_at)
    return Downtime(
        started_at=began,
        ended_at=ended,
        duration=int(((ended or now) - began).total_seconds()),
        error=row.error,
        id=row.id,
        locations=None if row.locations is None else tuple(row.locations),
        partial=bool(row.partial),
    )


@dataclass(frozen=True, slots=True)
class MetricsSpan:
    """Uptime, Apdex and response-time figures over [start, end) (engine/rollup.py's
    `Rollup.metrics()`: checks, failures, uptime, apdex, seconds per state, response times)."""

    start: datetime
    end: datetime
    figures: Figures
    # With `group=location`: the location these figures are of.
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    """A monitor's metrics over a range, whole and, when asked, per hour or day."""

    whole: MetricsSpan
    group: str | None = None
    groups: tuple[MetricsSpan, ...] = ()
