"""`/api/v3/monitors.php` (and `/api/v4/monitors.php`, "Use v3"), scope `monitors`: monitor
CRUD and status pages, the operation named by `action=` (GAPS.md), the item by `id=`:

    list, get, create, update, delete, pause, resume
    status_pages, status_page_get, status_page_create, status_page_update, status_page_delete

Reads may be sent with GET or POST, changes with POST (or PUT/DELETE for update/delete); a
change sent with GET is a 405 `method_not_allowed`, so a crawler or a prefetching proxy never
deletes a monitor. 000's monitor fields map onto the monitor service's (`check_type` → kind,
`url` and `port` → target, `keyword`, `method`, `body`, `headers` → the probe's options);
`regions` → the locations it runs from (the location registry's codes, services/locations.py);
the service's rules answer as GAPS.md names them: `monitor_exists` (409, a repeated
create), `monitor_limit_reached` (403, the plan's cap), `invalid_url` (400).

Monitor ids are integers, as 000 shows every id: the monitors' aliases (services/aliases.py),
given the first time this face shows a monitor; `id=` takes one (or the SID the native API
shows). Status pages are named by their token, and name their monitors by the same integers.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.enterno import render
from watchwire.api.dialects.enterno.auth import admit, fields_of
from watchwire.api.dialects.enterno.envelope import V3, V4, Envelope, renamed, success
from watchwire.api.dialects.kit.fields import Fields, invalid
from watchwire.api.dialects.kit.ids import check_sid
from watchwire.api.dialects.kit.paging import page_request
from watchwire.errors import ValidationError
from watchwire.ids import PREFIXES
from watchwire.services.accounts import Principal
from watchwire.services.monitor_records import Monitor
from watchwire.services.status_pages.records import StatusPage
from watchwire.services.status_pages.service import ComponentInput, PageFields

router = APIRouter(tags=["monitors"])
SCOPE = "monitors"
MAX_TAGS = 10
# Kinds whose `url` is a URL; the others take a host, with the port in `port`.
_URL_KINDS = ("http", "api")
_DEFAULT_PORTS = {"tcp": 80}
# The service's names of 000's fields, for its errors in 000's words.
_NAMES = {"target": "url", "locations": "regions"}
MAX_REGIONS = 50

# Alert switches 000 lists without naming them (GAPS.md: "alert switches"). One has a
# faithful mapping, `alerts` (off: the monitor muted for good, `mute_until=forever`; on:
# unmuted); any other spelling of a switch is refused, so a script is told its setting was
# not applied rather than believing it was (decision 0042).
_ALERT_SWITCH = re.compile(r"^(alerts?|notify|notifications?)(_|\[|$)")
_MUTED_FOR_GOOD = "forever"  # monitor_notify.py's stored mute that never ends

Action = Callable[[Request, Principal, Fields], Awaitable[Envelope]]


async def _sid_of(request: Request, field: str, sent: str) -> str:
    """The SID a monitor id names: its integer alias, or the native API's SID. An integer
    that names no monitor is a 404 `not_found`; the service's read then checks the account."""
    if sent.startswith(PREFIXES["monitor"]):
        check_sid(field, "monitor", sent)
        return sent
    return await runtime_of(request).aliases.sid_of("monitor", sent, field=field)


async def _monitor_id(request: Request, fields: Fields) -> str:
    return await _sid_of(request, "id", fields.text("id", required=True, max_length=66) or "")


async def _shown(request: Request, monitors: list[Monitor]) -> list[dict[str, Any]]:
    ids = await runtime_of(request).aliases.given(m.sid for m in monitors)
    return [render.monitor(m, ids[m.sid]) for m in monitors]


async def _one(request: Request, item: Monitor) -> dict[str, Any]:
    return (await _shown(request, [item]))[0]


def _split(url: str) -> tuple[str, int | None]:
    """The host and port of a non-HTTP check's `url` (`db.example`, `db.example:5432`,
    `[2001:db8::1]:53`, `tcp://db.example:5432/`); the port None when it names none."""
    return render.split_host_port(url.split("://", 1)[-1].split("/", 1)[0])


def _joined(host: str, port: int | None) -> str:
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _target(kind: str, fields: Fields, current: Monitor | None) -> str | None:
    """The monitor service's target from `url` and `port`; on an update (`current`), what
    is not sent stays as it is."""
    url = fields.text("url", max_length=2048)
    if kind == "heartbeat" or kind in _URL_KINDS:
        return None if kind == "heartbeat" else url
    port = fields.optional_integer("port", maximum=65535)
    if url is None and (port is None or current is None):
        return None
    now_host, now_port = render.host_and_port(current) if current else (None, None)
    host, given = _split(url) if url is not None else (now_host or "", None)
    chosen = port or given or now_port or _DEFAULT_PORTS.get(kind)
    return _joined(host, chosen)


def _options(kind: str, fields: Fields) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if kind in _URL_KINDS:
        method = fields.text("method", max_length=16)
        options = Fields.present(
            {
                "method": method.upper() if method else None,
                "body": fields.text("body", max_length=65536, lines=True),
                "headers": fields.mapping("headers"),
                "cache_bust": fields.boolean("cache_bust"),
            }
        )
    if kind in ("http", "udp"):
        options |= Fields.present({"keyword": fields.text("keyword", max_length=1024)})
    elif fields.has("keyword"):
        raise invalid("keyword", "kind", "keyword applies to http and udp monitors only")
    if kind == "api" and fields.has("assertions"):
        options["assertions"] = fields.values["assertions"]
    return options


def _alerts(fields: Fields) -> dict[str, Any]:
    """`alerts` as the monitor's mute; a switch watchwire cannot honour is a 400 naming it."""
    for name in sorted(fields.values):
        if name != "alerts" and _ALERT_SWITCH.match(name):
            raise invalid(
                name,
                "not_supported",
                f"{name} is not supported: alerts go to the account's contacts and webhooks;"
                " alerts=false mutes the monitor",
            )
    switch = fields.boolean("alerts")
    if switch is None:
        return {}
    return {"mute_until": None if switch else _MUTED_FOR_GOOD}


def _fields(fields: Fields, kind: str, current: Monitor | None = None) -> dict[str, Any]:
    """The monitor service's fields for what the request sends."""
    raw: dict[str, Any] = Fields.present(
        {
            "name": fields.text("name", max_length=255),
            "interval": fields.optional_integer("interval", maximum=86_400),
            "tags": fields.items("tags", max_length=64, max_items=MAX_TAGS),
            "paused": fields.boolean("paused"),
            "note": fields.text("note", max_length=4096, lines=True),
            "group_name": fields.text("group_name", max_length=255),
        }
    )
    raw |= _alerts(fields)
    creating = current is None
    regions = fields.items("regions", max_length=16, max_items=MAX_REGIONS)
    if regions is not None:
        # The location registry's codes (`GET /v1/locations`); none: every location.
        raw["locations"] = regions or None
    target = _target(kind, fields, current)
    if target is not None:
        raw["target"] = target
    elif creating and kind != "heartbeat":
        raise ValidationError(
            "URL is required",
            code="invalid_url",
            details=[{"field": "url", "rule": "required", "message": "URL is required"}],
        )
    options = _options(kind, fields)
    if options or creating:
        raw["options"] = options
    if creating:
        raw["kind"] = kind
    return raw


def _kind(fields: Fields) -> str:
    chosen = fields.choice("check_type", tuple(render.CHECK_TYPES)) or "http"
    return render.CHECK_TYPES[chosen]


def _as_enterno(exc: ValidationError) -> ValidationError:
    """A monitor service's rule in 000's words: `target` is `url`, and a bad target is
    `invalid_url`."""
    details = exc.details if isinstance(exc.details, list) else []
    if any(d.get("field") == "target" for d in details):
        exc.code = "invalid_url"
    renamed(exc, _NAMES)
    return exc


async def list_monitors(request: Request, principal: Principal, fields: Fields) -> Envelope:
    page = page_request(fields)
    tag = fields.text("tag", max_length=64)
    found = await runtime_of(request).monitors.list(principal.account_sid, page, tag=tag)
    return success(await _shown(request, list(found.items)), pagination=found.meta())


async def get_monitor(request: Request, principal: Principal, fields: Fields) -> Envelope:
    sid = await _monitor_id(request, fields)
    found = await runtime_of(request).monitors.get(principal.account_sid, sid)
    return success(await _one(request, found))


async def create_monitor(request: Request, principal: Principal, fields: Fields) -> Envelope:
    try:
        raw = _fields(fields, _kind(fields))
        created = await runtime_of(request).monitors.create(
            principal.account_sid, raw, min_interval=principal.plan.min_interval_seconds
        )
    except ValidationError as exc:
        raise _as_enterno(exc) from None
    return success(await _one(request, created), status=201)


async def update_monitor(request: Request, principal: Principal, fields: Fields) -> Envelope:
    monitors = runtime_of(request).monitors
    sid = await _monitor_id(request, fields)
    current = await monitors.get(principal.account_sid, sid)
    if fields.has("check_type") and _kind(fields) != current.kind:
        raise invalid("check_type", "immutable", "check_type cannot change")
    try:
        changes = _fields(fields, current.kind, current)
        if "options" in changes:
            changes["options"] = {**current.options, **changes["options"]}
        updated = await monitors.update(
            principal.account_sid, sid, changes, min_interval=principal.plan.min_interval_seconds
        )
    except ValidationError as exc:
        raise _as_enterno(exc) from None
    return success(await _one(request, updated))


async def delete_monitor(request: Request, principal: Principal, fields: Fields) -> Envelope:
    runtime = runtime_of(request)
    gone = await runtime.monitors.delete(principal.account_sid, await _monitor_id(request, fields))
    alias = (await runtime.aliases.given([gone.sid]))[gone.sid]
    return success({"id": alias, "deleted": True})


def _pausing(paused: bool) -> Action:
    async def action(request: Request, principal: Principal, fields: Fields) -> Envelope:
        monitors = runtime_of(request).monitors
        sid = await _monitor_id(request, fields)
        changed = await monitors.set_paused(principal.account_sid, sid, paused)
        return success(await _one(request, changed))

    return action


def _page_token(fields: Fields) -> str:
    return fields.text("id", required=True, max_length=64) or ""


async def _page_fields(request: Request, fields: Fields) -> PageFields:
    sent = fields.items("monitors", max_length=66)
    monitors = None
    if sent is not None:
        monitors = [await _sid_of(request, f"monitors[{i}]", one) for i, one in enumerate(sent)]
    return PageFields(
        name=fields.text("name", max_length=255),
        description=fields.text("description", max_length=4096, lines=True),
        components=None if monitors is None else [ComponentInput(sid) for sid in monitors],
        visibility=fields.text("visibility", max_length=16),
    )


async def _pages(request: Request, pages: list[StatusPage]) -> list[dict[str, Any]]:
    """Status pages, their monitors named by the integers monitors.php shows."""
    sids = [c.sid for p in pages for c in p.components if c.kind == "monitor"]
    ids = await runtime_of(request).aliases.given(sids)
    return [render.status_page(p, ids) for p in pages]


async def list_pages(request: Request, principal: Principal, fields: Fields) -> Envelope:
    page = page_request(fields)
    found = await runtime_of(request).status_pages.list_pages(principal.account_sid, page)
    return success(await _pages(request, list(found.items)), pagination=found.meta())


async def get_page(request: Request, principal: Principal, fields: Fields) -> Envelope:
    pages = runtime_of(request).status_pages
    found = await pages.get_page(principal.account_sid, _page_token(fields))
    return success((await _pages(request, [found]))[0])


async def create_page(request: Request, principal: Principal, fields: Fields) -> Envelope:
    pages = runtime_of(request).status_pages
    created = await pages.create_page(principal.account_sid, await _page_fields(request, fields))
    return success((await _pages(request, [created]))[0], status=201)


async def update_page(request: Request, principal: Principal, fields: Fields) -> Envelope:
    pages = runtime_of(request).status_pages
    token = _page_token(fields)
    changed = await pages.update_page(
        principal.account_sid, token, await _page_fields(request, fields)
    )
    return success((await _pages(request, [changed]))[0])


async def delete_page(request: Request, principal: Principal, fields: Fields) -> Envelope:
    pages = runtime_of(request).status_pages
    gone = await pages.delete_page(principal.account_sid, _page_token(fields))
    return success({"id": gone.token, "deleted": True})


READS: dict[str, Action] = {
    "list": list_monitors,
    "get": get_monitor,
    "status_pages": list_pages,
    "status_page_get": get_page,
}
WRITES: dict[str, Action] = {
    "create": create_monitor,
    "update": update_monitor,
    "delete": delete_monitor,
    "pause": _pausing(True),
    "resume": _pausing(False),
    "status_page_create": create_page,
    "status_page_update": update_page,
    "status_page_delete": delete_page,
}
ACTIONS = (*READS, *WRITES)
_WRITE_METHODS = {"POST", "PUT", "DELETE"}


async def monitors_php(request: Request) -> Envelope:
    fields = await fields_of(request)
    writes = fields.values.get("action") in WRITES
    principal = await admit(request, SCOPE, writes=writes)
    action = fields.choice("action", ACTIONS) or "list"
    if writes and request.method not in _WRITE_METHODS:
        raise HTTPException(405, headers={"Allow": "POST, PUT, DELETE"})
    return await (WRITES if writes else READS)[action](request, principal, fields)


for _prefix in (V3, V4):
    router.add_api_route(
        f"{_prefix}/monitors.php", monitors_php, methods=["GET", "POST", "PUT", "DELETE"]
    )
