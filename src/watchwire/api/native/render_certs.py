"""The native API's JSON for certificate profiles, monitors and their errors (000 has no
document for them: v1 shows the SID as `sid`, and monitors also as `id` like their events)."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.certs.records import CertError, CertMonitor, CertProfile


@answer
class CertProfileJson(TypedDict):
    sid: str
    name: str
    expiration_thresholds: list[int]
    alert_on_expiration: bool
    alert_on_name_mismatch: bool
    alert_on_ca_failure: bool
    alert_on_connection_failure: bool
    alert_on_caa_failure: bool
    alert_on_misconfigurations: bool
    alert_on_changes: bool
    is_default: bool
    created_at: str
    updated_at: str


@answer
class CertErrorJson(TypedDict):
    id: str
    monitor: str
    monitor_name: str
    hostname: str
    protocol: str
    error_type: str
    code: str
    severity: str
    message: str
    first_seen: str
    last_seen: str


@answer
class CertMonitorJson(TypedDict):
    id: str
    sid: str
    name: str
    hostname: str
    protocol: str
    port: int | None
    profile: str
    contact_groups: list[str]
    tags: list[str]
    status: Literal["active", "paused"]
    paused: bool
    interval: int
    # The tls probe's summary of the last certificate read (fingerprint, expiry, names).
    certificate: dict[str, Any] | None
    expiry_days: int | None
    expiry_bracket: int | Literal["expired"] | None
    errors: list[CertErrorJson]
    last_outcome: str | None
    last_checked_at: str | None
    next_run_at: str | None
    created_at: str
    updated_at: str


def cert_profile(item: CertProfile) -> CertProfileJson:
    return {
        "sid": item.sid,
        "name": item.name,
        "expiration_thresholds": list(item.expiration_thresholds),
        "alert_on_expiration": item.alert_on_expiration,
        "alert_on_name_mismatch": item.alert_on_name_mismatch,
        "alert_on_ca_failure": item.alert_on_ca_failure,
        "alert_on_connection_failure": item.alert_on_connection_failure,
        "alert_on_caa_failure": item.alert_on_caa_failure,
        "alert_on_misconfigurations": item.alert_on_misconfigurations,
        "alert_on_changes": item.alert_on_changes,
        "is_default": item.is_default,
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def cert_error(item: CertError) -> CertErrorJson:
    return {
        "id": item.sid,
        "monitor": item.monitor_sid,
        "monitor_name": item.monitor_name,
        "hostname": item.hostname,
        "protocol": item.protocol,
        "error_type": item.error_type,
        "code": item.code,
        "severity": item.severity,
        "message": item.message,
        "first_seen": isoformat(item.first_seen),
        "last_seen": isoformat(item.last_seen),
    }


def cert_monitor(item: CertMonitor) -> CertMonitorJson:
    return {
        "id": item.sid,
        "sid": item.sid,
        "name": item.name,
        "hostname": item.hostname,
        "protocol": item.protocol,
        "port": item.port,
        "profile": item.profile_sid,
        "contact_groups": list(item.contact_groups),
        "tags": list(item.tags),
        "status": item.status,
        "paused": item.paused,
        "interval": item.interval_seconds,
        "certificate": item.certificate,
        "expiry_days": item.expiry_days,
        "expiry_bracket": item.expiry_bracket,
        "errors": [cert_error(e) for e in item.errors],
        "last_outcome": item.last_outcome,
        "last_checked_at": isoformat_or_none(item.last_checked_at),
        "next_run_at": isoformat_or_none(item.next_run_at),
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }
