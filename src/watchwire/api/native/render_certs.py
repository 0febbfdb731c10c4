"""The native API's JSON for certificate profiles, monitors and their errors (000 has no
document for them: v1 shows the SID as `sid`, and monitors also as `id` like their events)."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.certs.records import CertError, CertMonitor, CertProfile


def cert_profile(item: CertProfile) -> dict[str, Any]:
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


def cert_error(item: CertError) -> dict[str, Any]:
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


def cert_monitor(item: CertMonitor) -> dict[str, Any]:
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
