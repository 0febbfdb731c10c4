"""Status pages and their notices in v1's JSON."""

from __future__ import annotations

from typing_extensions import TypedDict

from watchwire.api.native.openapi import answer
from watchwire.clock import isoformat_or_none
from watchwire.services.status_pages.records import Notice, NoticeType, StatusPage, Visibility
from watchwire.services.status_pages.view import IncidentState, MaintenanceState


@answer
class ComponentJson(TypedDict):
    sid: str
    kind: str
    group: str | None


@answer
class PageJson(TypedDict):
    token: str
    name: str
    description: str
    components: list[ComponentJson]
    groups: list[str]
    visibility: Visibility
    has_access_key: bool
    title: str | None
    logo_url: str | None
    accent_color: str | None
    footer: str
    timezone: str
    custom_domain: str | None
    published_monitor: str | None
    url: str
    created_at: str | None
    updated_at: str | None


@answer
class NoticeUpdateJson(TypedDict):
    at: str | None
    state: IncidentState | MaintenanceState
    message: str


@answer
class NoticeJson(TypedDict):
    sid: str
    page: str
    type: NoticeType
    title: str
    message: str
    state: IncidentState | MaintenanceState
    starts_at: str | None
    ends_at: str | None
    components: list[str]
    updates: list[NoticeUpdateJson]
    created_at: str | None
    updated_at: str | None


def page(p: StatusPage) -> PageJson:
    return {
        "token": p.token,
        "name": p.name,
        "description": p.description,
        "components": [{"sid": c.sid, "kind": c.kind, "group": c.group} for c in p.components],
        "groups": list(p.groups),
        "visibility": p.visibility,
        "has_access_key": p.has_access_key,
        "title": p.title,
        "logo_url": p.logo_url,
        "accent_color": p.accent_color,
        "footer": p.footer,
        "timezone": p.timezone,
        "custom_domain": p.custom_domain,
        "published_monitor": p.published_monitor_sid,
        "url": f"/p/{p.token}",
        "created_at": isoformat_or_none(p.created_at),
        "updated_at": isoformat_or_none(p.updated_at),
    }


def notice(n: Notice) -> NoticeJson:
    return {
        "sid": n.sid,
        "page": n.page_token,
        "type": n.type,
        "title": n.title,
        "message": n.message,
        "state": n.state,
        "starts_at": isoformat_or_none(n.starts_at),
        "ends_at": isoformat_or_none(n.ends_at),
        "components": list(n.components),
        "updates": [
            {"at": isoformat_or_none(u.at), "state": u.state, "message": u.message}
            for u in n.updates
        ],
        "created_at": isoformat_or_none(n.created_at),
        "updated_at": isoformat_or_none(n.updated_at),
    }
