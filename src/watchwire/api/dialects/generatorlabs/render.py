"""The objects 003 collapses to `{ }`, rendered from the services' records.

Nothing public shows v4's JSON for contacts and groups, so they mirror 003's request fields
(GAPS.md [P]): the SID as `id`, `contact_group` as a list, ISO 8601 UTC times.
docs/dialects/generatorlabs.md shows each with an example.
"""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat
from watchwire.services.contact_groups import ContactGroup
from watchwire.services.contacts import Contact


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


def cert_profile(item: dict[str, Any]) -> dict[str, Any]:
    """The service's profile with the SID as `id`, like every other object of 003."""
    shown = {"id": item["sid"], **item}
    del shown["sid"]
    return shown


def cert_monitor(item: dict[str, Any]) -> dict[str, Any]:
    """The service's monitor with 003's `contact_group` (the SID is already `id`)."""
    shown = {k: v for k, v in item.items() if k not in ("sid", "contact_groups")}
    shown["contact_group"] = item["contact_groups"]
    return shown
