"""The native API's JSON for the services' records: the one place that names v1's fields.

v1 follows 000's document where it has one: a resource shows its SID as `sid` (and, where
000 has an `id`, as `id` too), times as ISO 8601 UTC, lists as JSON arrays.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat, isoformat_or_none
from watchwire.events.event import Event
from watchwire.services.accounts import Account, ApiKey, CreatedKey, Plan
from watchwire.services.contact_groups import ContactGroup
from watchwire.services.contacts import Contact
from watchwire.services.deliveries import (
    Delivery,
    DeliveryAttempt,
    DeliveryDetail,
    DeliverySummary,
)
from watchwire.services.failing import Failing
from watchwire.services.subscriptions import Subscription, TestSent

# -- the answers' shapes (each renderer's return type, and the `data` its routes describe) -


@answer
class PlanJson(TypedDict):
    name: str
    title: str
    requests_per_minute: int
    requests_per_day: int
    scopes: list[str]
    max_webhooks: int
    event_types: list[str] | None
    min_interval_seconds: int
    max_monitors: int | None


@answer
class AccountJson(TypedDict):
    sid: str
    name: str
    plan: PlanJson
    created_at: str


@answer
class ApiKeyJson(TypedDict):
    sid: str
    name: str
    scopes: list[str]
    read_only: bool
    ip_allowlist: list[str]
    created_at: str
    revoked_at: str | None
    status: str


@answer
class CreatedKeyJson(ApiKeyJson):
    secret: str
    key: str


@answer
class EventJson(TypedDict):
    sid: str
    type: str
    description: str
    resource_type: str | None
    resource_sid: str | None
    payload: dict[str, Any]
    contact_groups: list[str]
    created_at: str


@answer
class DeliveryJson(TypedDict):
    id: str
    sid: str
    # The stable integer id of faces with integer ids (Enterno's `"id": 12`).
    alias: int | None
    event_id: str
    event_type: str
    webhook_id: str | None
    target_type: str
    target_sid: str
    status: str
    http_status_code: int | None
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    created_at: str
    delivered_at: str | None


@answer
class AttemptJson(TypedDict):
    number: int
    started_at: str
    duration_ms: float
    status_code: int | None
    error: str | None
    response_excerpt: str | None


@answer
class DeliveryDetailJson(DeliveryJson):
    attempt_log: list[AttemptJson]


@answer
class FailingJson(TypedDict):
    consecutive_failures: int
    since: str | None
    last_error: str | None


@answer
class FailingEndpointJson(TypedDict):
    type: str
    sid: str
    name: str
    active: bool
    failing: FailingJson


@answer
class DeliverySummaryJson(TypedDict):
    by_status: dict[str, int]
    failing: list[FailingEndpointJson]


@answer
class SubscriptionJson(TypedDict):
    id: str
    sid: str
    alias: int | None
    name: str
    url: str
    secret: str
    events: list[str] | None
    format: str
    is_active: bool
    legacy_signature: bool
    consecutive_failures: int
    disabled_reason: str | None
    failing: FailingJson | None
    previous_secret_expires_at: str | None
    created_at: str


@answer
class TestEventJson(TypedDict):
    sid: str
    type: str
    description: str
    resource_type: str | None
    resource_sid: str | None
    payload: dict[str, Any]
    created_at: str


@answer
class TestSentJson(TypedDict):
    event: TestEventJson
    delivery_id: str | None


@answer
class ContactJson(TypedDict):
    sid: str
    name: str
    contact: str
    type: str
    status: str
    schedule: str
    args: dict[str, Any]
    contact_groups: list[str]
    confirmed: bool
    confirmed_at: str | None
    failing: FailingJson | None
    created_at: str


@answer
class ContactGroupJson(TypedDict):
    sid: str
    name: str
    is_default: bool
    contacts: list[str]
    created_at: str


# -- accounts and keys -------------------------------------------------------------------


def plan(item: Plan) -> PlanJson:
    return {
        "name": item.name,
        "title": item.title,
        "requests_per_minute": item.requests_per_minute,
        "requests_per_day": item.requests_per_day,
        "scopes": sorted(item.scopes),
        "max_webhooks": item.max_webhooks,
        "event_types": sorted(item.event_types) if item.event_types is not None else None,
        "min_interval_seconds": item.min_interval_seconds,
        "max_monitors": item.max_monitors,
    }


def account(item: Account) -> AccountJson:
    return {
        "sid": item.sid,
        "name": item.name,
        "plan": plan(item.plan),
        "created_at": isoformat(item.created_at),
    }


def api_key(item: ApiKey) -> ApiKeyJson:
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


def created_key(item: ApiKey, created: CreatedKey) -> CreatedKeyJson:
    """A new key: the only answer that shows its secret (alone and as the one-string key)."""
    return CreatedKeyJson(**api_key(item), secret=created.secret, key=created.key)


# -- events and deliveries ---------------------------------------------------------------


def event(item: Event) -> EventJson:
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


def delivery(item: Delivery) -> DeliveryJson:
    return {
        "id": item.sid,
        "sid": item.sid,
        "alias": item.alias,
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


def attempt(item: DeliveryAttempt) -> AttemptJson:
    return {
        "number": item.number,
        "started_at": isoformat(item.started_at),
        "duration_ms": item.duration_ms,
        "status_code": item.status_code,
        "error": item.error,
        "response_excerpt": item.response_excerpt,
    }


def delivery_detail(item: DeliveryDetail) -> DeliveryDetailJson:
    return DeliveryDetailJson(
        **delivery(item.delivery), attempt_log=[attempt(a) for a in item.attempts]
    )


# -- webhook subscriptions ---------------------------------------------------------------


def subscription(item: Subscription) -> SubscriptionJson:
    return {
        "id": item.sid,
        "sid": item.sid,
        "alias": item.alias,
        "name": item.name,
        "url": item.url,
        "secret": item.secret if item.secret is not None else item.masked_secret,
        "events": list(item.events) if item.events is not None else None,
        "format": item.format,
        "is_active": item.is_active,
        "legacy_signature": item.legacy_signature,
        "consecutive_failures": item.consecutive_failures,
        "disabled_reason": item.disabled_reason,
        "failing": failing(item.failing),
        "previous_secret_expires_at": isoformat_or_none(item.previous_secret_expires_at),
        "created_at": isoformat(item.created_at),
    }


def webhook_test_sent(item: TestSent) -> TestSentJson:
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


def contact(item: Contact) -> ContactJson:
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
        "failing": failing(item.failing),
        "created_at": isoformat(item.created_at),
    }


def delivery_summary(item: DeliverySummary) -> DeliverySummaryJson:
    return {
        "by_status": item.by_status,
        "failing": [
            {
                "type": e.type,
                "sid": e.sid,
                "name": e.name,
                "active": e.active,
                "failing": _failing(e.failing),
            }
            for e in item.failing
        ],
    }


def _failing(item: Failing) -> FailingJson:
    return {
        "consecutive_failures": item.consecutive_failures,
        "since": isoformat_or_none(item.since),
        "last_error": item.last_error,
    }


def failing(item: Failing | None) -> FailingJson | None:
    """An endpoint's run of failed deliveries (services/failing.py); None: it delivers."""
    return None if item is None else _failing(item)


def contact_group(item: ContactGroup) -> ContactGroupJson:
    return {
        "sid": item.sid,
        "name": item.name,
        "is_default": item.is_default,
        "contacts": list(item.contacts),
        "created_at": isoformat(item.created_at),
    }
