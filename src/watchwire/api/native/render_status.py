"""Status pages and their notices in v1's JSON."""

from __future__ import annotations

from typing import Any

from watchwire.clock import isoformat_or_none
from watchwire.services.status_pages.records import Notice, StatusPage


def page(p: StatusPage) -> dict[str, Any]:
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


def notice(n: Notice) -> dict[str, Any]:
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
