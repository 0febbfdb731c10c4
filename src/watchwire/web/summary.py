"""`GET /p/{token}.json`: the page's summary as JSON (components with state and uptime per
period, incidents and maintenance), in the native API's field style."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat_or_none
from watchwire.services.status_pages.view import ComponentView, NoticeView, PageView


def _component(component: ComponentView, group: str | None) -> dict[str, Any]:
    return {
        "sid": component.sid,
        "kind": component.kind,
        "name": component.name,
        "group": group,
        "state": component.state,
        "uptime": dict(component.uptime),
        "last_checked_at": isoformat_or_none(component.last_checked_at),
    }


def _notice(notice: NoticeView) -> dict[str, Any]:
    return {
        "sid": notice.sid,
        "type": notice.type,
        "title": notice.title,
        "state": notice.state,
        "message": notice.message,
        "starts_at": isoformat_or_none(notice.starts_at),
        "ends_at": isoformat_or_none(notice.ends_at),
        "components": list(notice.components),
        "updates": [
            {"at": isoformat_or_none(u.at), "state": u.state, "message": u.message}
            for u in notice.updates
        ],
    }


def summary(page: PageView) -> dict[str, Any]:
    return {
        "token": page.token,
        "name": page.name,
        "title": page.title,
        "description": page.description,
        "timezone": page.timezone,
        "status": page.overall,
        "updated_at": isoformat_or_none(page.updated_at),
        "components": [
            _component(component, group.name)
            for group in page.groups
            for component in group.components
        ],
        "active_incidents": [_notice(n) for n in page.active_incidents],
        "maintenance": [_notice(n) for n in page.maintenance],
        "history": [_notice(n) for n in page.history],
    }
