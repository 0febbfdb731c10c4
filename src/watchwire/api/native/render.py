"""The native API's JSON for the services' records: the one place that names v1's fields.

v1 follows 000's document where it has one: a resource shows its SID as `sid` (and, where
000 has an `id`, as `id` too), times as ISO 8601 UTC, lists as JSON arrays.
"""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat, isoformat_or_none
from watchwire.events.event import Event
from watchwire.services.accounts import Account, ApiKey, CreatedKey, Plan
from watchwire.services.contact_groups import ContactGroup
from watchwire.services.contacts import Contact
from watchwire.services.deliveries import Delivery, DeliveryAttempt, DeliveryDetail
from watchwire.services.subscriptions import Subscription, TestSent

# -- accounts and keys -------------------------------------------------------------------


def plan(item: Plan) -> dict[str, Any]:
    return {
        "name": item.name,
        "title": item.title,
        "requests_per_minute": item.requests_per_minute,
        "requests_per_day": item.requests_per_day,
        "scopes": sorted(item.scopes),
        "max_webhooks": item.max_webhooks,
        "event_types": sorted(item.event_types) if item.event_types is not None else None,
        "min_interval_seconds": item.min_interval_seconds,
    }


def account(item: Account) -> dict[str, Any]:
    return {
        "sid": item.sid,
        "name": item.name,
        "plan": plan(item.plan),
        "created_at": isoformat(item.created_at),
    }


def api_key(item: ApiKey) -> dict[str, Any]:
    return {
        "sid": item.sid,
        "name": item.name,
        "scopes": list(item.scopes),
        "read_only": item.read_only,
        "ip_allowlist": list(item.ip_allowlist),
        "created_at": isoformat(item.created_at),
        "revoked_at": isoformat_or_none(item.revoked_at),
        "status": item.status,
    }


def created_key(item: ApiKey, created: CreatedKey) -> dict[str, Any]:
    """A new key: the only answer that shows its secret (alone and as the one-string key)."""
    return api_key(item) | {"secret": created.secret, "key": created.key}


# -- events and deliveries ---------------------------------------------------------------


def event(item: Event) -> dict[str, Any]:
    return {
        "sid": item.sid,
        "type": item.type,
        "description": item.description,
        "resource_type": item.resource_type,
        "resource_sid": item.resource_sid,
        "payload": item.payload,
        "contact_groups": item.contact_groups,
        "created_at": isoformat(item.created_at),
    }


def delivery(item: Delivery) -> dict[str, Any]:
    return {
        "id": item.sid,
        "sid": item.sid,
        "event_id": item.event_sid,
        "event_type": item.event_type,
        "webhook_id": item.target_sid if item.target_type == "webhook" else None,
        "target_type": item.target_type,
        "target_sid": item.target_sid,
        "status": item.status,
        "http_status_code": item.last_status_code,
        "attempts": item.attempt_count,
        "last_error": item.last_error,
        "next_attempt_at": isoformat_or_none(item.next_attempt_at),
        "created_at": isoformat(item.created_at),
        "delivered_at": isoformat_or_none(item.delivered_at),
    }


def attempt(item: DeliveryAttempt) -> dict[str, Any]:
    return {
        "number": item.number,
        "started_at": isoformat(item.started_at),
        "duration_ms": item.duration_ms,
        "status_code": item.status_code,
        "error": item.error,
        "response_excerpt": item.response_excerpt,
    }


def delivery_detail(item: DeliveryDetail) -> dict[str, Any]:
    return delivery(item.delivery) | {"attempt_log": [attempt(a) for a in item.attempts]}


# -- webhook subscriptions ---------------------------------------------------------------


def subscription(item: Subscription) -> dict[str, Any]:
    return {
        "id": item.sid,
        "sid": item.sid,
        "name": item.name,
        "url": item.url,
        "secret": item.secret if item.secret is not None else item.masked_secret,
        "events": list(item.events) if item.events is not None else None,
        "format": item.format,
        "is_active": item.is_active,
        "legacy_signature": item.legacy_signature,
        "consecutive_failures": item.consecutive_failures,
        "disabled_reason": item.disabled_reason,
        "previous_secret_expires_at": isoformat_or_none(item.previous_secret_expires_at),
        "created_at": isoformat(item.created_at),
    }


def webhook_test_sent(item: TestSent) -> dict[str, Any]:
    """The answer to a webhook test: the event (without contact groups: it goes to that one
    webhook) and the delivery queued for it."""
    sent = item.event
    return {
        "event": {
            "sid": sent.sid,
            "type": sent.type,
            "description": sent.description,
            "resource_type": sent.resource_type,
            "resource_sid": sent.resource_sid,
            "payload": sent.payload,
            "created_at": isoformat(sent.created_at),
        },
        "delivery_id": item.delivery_sid,
    }


# -- contacts and contact groups ---------------------------------------------------------


def contact(item: Contact) -> dict[str, Any]:
    return {
        "sid": item.sid,
        "name": item.name,
        "contact": item.value,
        "type": item.type,
        "status": item.status,
        "schedule": item.schedule,
        "args": item.args,
        "contact_groups": list(item.contact_groups),
        "confirmed": item.confirmed,
        "confirmed_at": isoformat_or_none(item.confirmed_at),
        "created_at": isoformat(item.created_at),
    }


def contact_group(item: ContactGroup) -> dict[str, Any]:
    return {
        "sid": item.sid,
        "name": item.name,
        "is_default": item.is_default,
        "contacts": list(item.contacts),
        "created_at": isoformat(item.created_at),
    }
