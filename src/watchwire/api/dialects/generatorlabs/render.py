"""The objects 003 collapses to `{ }`, rendered from the services' records.

Nothing public shows v4's JSON for contacts and groups, so they mirror 003's request fields
(GAPS.md [P]): the SID as `id`, `contact_group` as a list, ISO 8601 UTC times.
docs/dialects/generatorlabs.md shows each with an example.
"""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.services.certs.records import CertError, CertMonitor, CertProfile
from watchwire.services.contact_groups import ContactGroup
from watchwire.services.contacts import Contact
from watchwire.services.rbl.model import Source, period_text
from watchwire.services.rbl.records import (
    RblCheck,
    RblCheckStarted,
    RblHost,
    RblListing,
    RblProfile,
)


def contact(item: Contact) -> dict[str, Any]:
    return {
        "id": item.sid,
        "name": item.name,
        "contact": item.value,
        "type": item.type,
        "status": item.status,
        "schedule": item.schedule,
        "contact_group": list(item.contact_groups),
        "args": item.args or None,
        "confirmed": item.confirmed,
        "confirmed_at": isoformat(item.confirmed_at) if item.confirmed_at else None,
        "created_at": isoformat(item.created_at),
    }


def group(item: ContactGroup) -> dict[str, Any]:
    return {
        "id": item.sid,
        "name": item.name,
        "is_default": item.is_default,
        "contacts": list(item.contacts),
        "contact_count": len(item.contacts),
        "created_at": isoformat(item.created_at),
    }


def cert_profile(item: CertProfile) -> dict[str, Any]:
    return {
        "id": item.sid,
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
        "name": item.name,
        "hostname": item.hostname,
        "protocol": item.protocol,
        "port": item.port,
        "profile": item.profile_sid,
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
        "contact_group": list(item.contact_groups),
    }


def rbl_listing(item: RblListing) -> dict[str, Any]:
    return {
        "id": item.source_sid,
        "name": item.name,
        "host": item.zone,
        "type": item.type,
        "custom": item.custom,
        "listed": item.listed,
        "status": item.status,
        "return_code": item.return_code,
        "details": item.details,
        "website": item.website,
    }


def rbl_host(item: RblHost) -> dict[str, Any]:
    return {
        "id": item.sid,
        "host": item.host,
        "name": item.name,
        "type": item.type,
        "parent": item.parent,
        "status": item.status,
        "profile": item.profile_sid,
        "rbl_profile": item.profile_sid,
        "contact_group": list(item.contact_groups),
        "tags": list(item.tags),
        "listed": item.listed,
        "listed_count": len(item.listings),
        "listed_details": [rbl_listing(e) for e in item.listings],
        "first_listed": isoformat_or_none(item.first_listed),
        "listed_period": period_text(item.listed_for) if item.listed_for is not None else None,
        "last_checked": isoformat_or_none(item.last_checked_at),
        "next_check": isoformat_or_none(item.next_check_at),
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def rbl_profile(item: RblProfile) -> dict[str, Any]:
    return {
        "id": item.sid,
        "name": item.name,
        "entries": list(item.entries),
        "frequency": item.frequency,
        "sync_method": item.sync_method,
        "is_default": item.is_default,
        "created_at": isoformat(item.created_at),
        "updated_at": isoformat(item.updated_at),
    }


def rbl_source(item: Source) -> dict[str, Any]:
    return {
        "id": item.sid,
        "host": item.zone,
        "name": item.name,
        "type": item.type,
        "custom": item.custom,
        "custom_codes": list(item.custom_codes),
        "status": item.status,
        "purpose": item.purpose,
        "website": item.website,
        "delisting_url": item.delisting_url,
        "created_at": isoformat_or_none(item.created_at),
    }


def rbl_check_started(item: RblCheckStarted) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": item.sid,
        "status": item.status,
        "host": item.host,
        "host_id": item.host_sid,
        "callback": item.callback_url,
        "callback_secret": item.callback_secret,
        "created_at": isoformat(item.created_at),
    }
    if item.sources is not None:
        shown["rbls"] = [
            {"id": s.sid, "type": s.type, "custom": s.custom, "host": s.zone} for s in item.sources
        ]
    return shown


def rbl_check(item: RblCheck) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": item.sid,
        "status": item.status,
        "host": item.host,
        "host_id": item.host_sid,
        "listed": item.listed,
        "listed_count": item.listed_count,
        "checked_count": item.checked_count,
        "total_count": item.total_count,
        "error": item.error,
        "callback": item.callback_url,
        "created_at": isoformat(item.created_at),
        "completed_at": isoformat_or_none(item.completed_at),
    }
    if item.details is not None:
        shown["details"] = [rbl_listing(e) for e in item.details]
    return shown
