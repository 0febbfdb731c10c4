"""What the certificate service answers: profiles, monitors with their state, active errors.
Faces render these (api/native/render_certs.py, the Generator Labs dialect's render.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from watchwire.engine.evaluate_certs import EXPIRED, expiry_days

CertStatus = Literal["active", "paused"]


@dataclass(frozen=True, slots=True)
class CertProfile:
    """Expiry thresholds (days, highest first) and the alert switches of 003's profile."""

    sid: str
    name: str
    expiration_thresholds: tuple[int, ...]
    alert_on_expiration: bool
    alert_on_name_mismatch: bool
    alert_on_ca_failure: bool
    alert_on_connection_failure: bool
    alert_on_caa_failure: bool
    alert_on_misconfigurations: bool
    alert_on_changes: bool
    is_default: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CertError:
    """An active error of one monitor: open since `first_seen`, still seen at `last_seen`."""

    sid: str
    monitor_sid: str
    monitor_name: str
    hostname: str
    protocol: str
    error_type: str
    code: str
    severity: str
    message: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class CertMonitor:
    """A certificate monitor and what its last check saw. `expiry_bracket` is the lowest
    threshold announced (days), "expired", or None; `certificate` is the tls probe's summary
    of the last certificate read (fingerprint, expiry, names)."""

    sid: str
    name: str
    hostname: str
    protocol: str
    # None: the protocol's well-known port.
    port: int | None
    profile_sid: str
    contact_groups: tuple[str, ...]
    tags: tuple[str, ...]
    paused: bool
    interval_seconds: int
    certificate: dict[str, Any] | None
    expiry_days: int | None
    expiry_bracket: int | Literal["expired"] | None
    errors: tuple[CertError, ...]
    last_outcome: str | None
    last_checked_at: datetime | None
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def status(self) -> CertStatus:
        return "paused" if self.paused else "active"


def profile_record(row: Any) -> CertProfile:
    return CertProfile(
        sid=row.sid,
        name=row.name,
        expiration_thresholds=tuple(row.expiration_thresholds),
        alert_on_expiration=bool(row.alert_on_expiration),
        alert_on_name_mismatch=bool(row.alert_on_name_mismatch),
        alert_on_ca_failure=bool(row.alert_on_ca_failure),
        alert_on_connection_failure=bool(row.alert_on_connection_failure),
        alert_on_caa_failure=bool(row.alert_on_caa_failure),
        alert_on_misconfigurations=bool(row.alert_on_misconfigurations),
        alert_on_changes=bool(row.alert_on_changes),
        is_default=bool(row.is_default),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _stored_error(entry: dict[str, Any], row: Any) -> CertError:
    """An error as the monitor row keeps it (times as ISO 8601 strings)."""
    return CertError(
        sid=entry["id"],
        monitor_sid=row.sid,
        monitor_name=row.name,
        hostname=row.hostname,
        protocol=row.protocol,
        error_type=entry["error_type"],
        code=entry["code"],
        severity=entry["severity"],
        message=entry["message"],
        first_seen=datetime.fromisoformat(entry["first_seen"]),
        last_seen=datetime.fromisoformat(entry["last_seen"]),
    )


def error_record(row: Any) -> CertError:
    """A cert_errors row joined with its monitor's name, hostname and protocol."""
    return CertError(
        sid=row.sid,
        monitor_sid=row.monitor_sid,
        monitor_name=row.monitor_name,
        hostname=row.hostname,
        protocol=row.protocol,
        error_type=row.error_type,
        code=row.code,
        severity=row.severity,
        message=row.message,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )


def monitor_record(row: Any, now: datetime) -> CertMonitor:
    not_after = datetime.fromisoformat(row.not_after) if row.not_after else None
    bracket = row.expiry_bracket
    return CertMonitor(
        sid=row.sid,
        name=row.name,
        hostname=row.hostname,
        protocol=row.protocol,
        port=row.port,
        profile_sid=row.profile_sid,
        contact_groups=tuple(row.contact_groups),
        tags=tuple(row.tags),
        paused=bool(row.paused),
        interval_seconds=row.interval_seconds,
        certificate=row.certificate,
        expiry_days=expiry_days(not_after, now) if not_after else None,
        expiry_bracket="expired" if bracket == EXPIRED else bracket,
        errors=tuple(_stored_error(e, row) for e in row.errors),
        last_outcome=row.last_outcome,
        last_checked_at=row.last_checked_at,
        next_run_at=row.next_run_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
