"""What the status-page service answers its owners with (the API's records; visitors get
`view.PageView`), and the rules of the fields they are written from."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watchwire.errors import ValidationError
from watchwire.services.status_pages.view import IncidentState, MaintenanceState

Visibility = Literal["public", "protected", "private"]
NoticeType = Literal["incident", "maintenance"]
VISIBILITIES = ("public", "protected", "private")
INCIDENT_STATES: tuple[IncidentState, ...] = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
)
MAINTENANCE_STATES: tuple[MaintenanceState, ...] = ("scheduled", "in_progress", "completed")
# A notice's text is read on a page among others: past this it is a document, not a notice.
MAX_MESSAGE = 20_000
MAX_COMPONENTS = 1_000
MAX_GROUPS = 100
# The component kinds with an up/down state, by the SID prefix of their rows.
COMPONENT_KINDS = {"MO": "monitor", "CM": "certificate", "DM": "domain", "HT": "rbl_host"}

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)


@dataclass(frozen=True, slots=True)
class Component:
    sid: str
    kind: str
    group: str | None


@dataclass(frozen=True, slots=True)
class StatusPage:
    token: str
    name: str
    description: str
    components: tuple[Component, ...]
    groups: tuple[str, ...]
    visibility: Visibility
    has_access_key: bool
    title: str | None
    logo_url: str | None
    accent_color: str | None
    footer: str
    timezone: str
    custom_domain: str | None
    published_monitor_sid: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NoticeUpdate:
    at: datetime
    state: IncidentState | MaintenanceState
    message: str


@dataclass(frozen=True, slots=True)
class Notice:
    sid: str
    page_token: str
    type: NoticeType
    title: str
    message: str
    state: IncidentState | MaintenanceState
    starts_at: datetime
    ends_at: datetime | None
    components: tuple[str, ...]
    updates: tuple[NoticeUpdate, ...]  # newest first
    created_at: datetime
    updated_at: datetime


def page_of(row: Any) -> StatusPage:
    return StatusPage(
        token=row.token,
        name=row.name,
        description=row.description,
        components=tuple(
            Component(c["sid"], COMPONENT_KINDS[c["sid"][:2]], c.get("group"))
            for c in row.components
        ),
        groups=tuple(row.groups),
        visibility=cast(Visibility, row.visibility),
        has_access_key=row.access_key_hash is not None,
        title=row.title,
        logo_url=row.logo_url,
        accent_color=row.accent_color,
        footer=row.footer,
        timezone=row.timezone,
        custom_domain=row.custom_domain,
        published_monitor_sid=row.published_monitor_sid,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def notice_of(row: Any, updates: list[NoticeUpdate]) -> Notice:
    return Notice(
        sid=row.sid,
        page_token=row.page_token,
        type=cast(NoticeType, row.type),
        title=row.title,
        message=row.message,
        state=cast("IncidentState | MaintenanceState", row.state),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        components=tuple(row.components),
        updates=tuple(updates),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check_required(field: str, value: str) -> str:
    if not value.strip():
        raise ValidationError.field(field, "required", f"{field} must not be empty")
    return value.strip()


def check_visibility(value: str) -> Visibility:
    if value not in VISIBILITIES:
        raise ValidationError.field(
            "visibility", "enum", "visibility must be one of public, protected, private"
        )
    return cast(Visibility, value)


def check_color(value: str | None) -> str | None:
    if value is not None and not _COLOR.match(value):
        raise ValidationError.field(
            "accent_color", "pattern", "accent_color must be a colour as #rrggbb"
        )
    return value.lower() if value else None


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.field(
            "timezone", "timezone", f"timezone must be an IANA time zone name: {value!r}"
        ) from None
    return value


def check_domain(value: str | None) -> str | None:
    if value is None:
        return None
    host = value.strip().lower().rstrip(".")
    if not _HOSTNAME.match(host):
        raise ValidationError.field(
            "custom_domain",
            "hostname",
            "custom_domain must be a host name such as status.example.com",
        )
    return host


def check_logo(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s<>\"']+$", value):
        raise ValidationError.field(
            "logo_url", "url", "logo_url must be an http:// or https:// URL"
        )
    return value


def check_message(field: str, value: str) -> str:
    if len(value) > MAX_MESSAGE:
        raise ValidationError.field(
            field, "max_length", f"{field} must be at most {MAX_MESSAGE:,} characters"
        )
    return value


def check_state(kind: NoticeType, value: str, field: str = "state") -> str:
    allowed: tuple[str, ...] = INCIDENT_STATES if kind == "incident" else MAINTENANCE_STATES
    if value not in allowed:
        raise ValidationError.field(
            field, "enum", f"{field} of a {kind} must be one of {', '.join(allowed)}"
        )
    return value


def finished(kind: str, state: str) -> bool:
    return state == ("resolved" if kind == "incident" else "completed")


def hash_key(key: str) -> str:
    """What is stored of a protected page's access key."""
    return hashlib.sha256(key.encode()).hexdigest()
