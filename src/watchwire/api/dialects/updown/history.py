"""A check's history: `/api/checks/:token/downtimes` (newest first, 100 per page, `page`
from 1; `results=true` adds the checks that opened and closed each, per location) and
`/api/checks/:token/metrics` (`from`, `to` in any format the time parser takes, default the
last month; `group=time` for one entry per hour, `group=host` for one per location, with
its place from the registry). Scope `monitors`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.paging import MAX_PAGING_NUMBER
from watchwire.api.dialects.updown import render
from watchwire.api.dialects.updown.auth import Monitors
from watchwire.api.dialects.updown.reading import not_in_list
from watchwire.api.envelope import JsonResponse
from watchwire.clock import isoformat
from watchwire.pagination import PageRequest

router = APIRouter(tags=["checks"])
DOWNTIMES_PER_PAGE = 100
DEFAULT_FROM = "1 month ago"
GROUPS = ("time", "host")
_TIME = 64


@router.get("/api/checks/{token}/downtimes")
async def downtimes(request: Request, token: str, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    page = PageRequest(
        page=fields.integer("page", 1, maximum=MAX_PAGING_NUMBER), per_page=DOWNTIMES_PER_PAGE
    )
    monitors = runtime_of(request).monitors
    sid = path_sid("monitor", token, "token")
    found = await monitors.downtimes(principal.account_sid, sid, page)
    shown = [render.downtime(d) for d in found.items]
    if fields.boolean("results") and found.items:
        monitor = await monitors.get(principal.account_sid, sid)
        for item, answer in zip(found.items, shown, strict=True):
            opened, closed = await monitors.downtime_results(principal.account_sid, sid, item)
            answer["down_results"] = [render.result(monitor, r) for r in opened]
            answer["up_results"] = [render.result(monitor, r) for r in closed]
    return JsonResponse(shown)


@router.get("/api/checks/{token}/metrics")
async def metrics(request: Request, token: str, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    group = fields.text("group", max_length=16)
    if group is not None and group not in GROUPS:
        raise not_in_list("group", group)
    runtime = runtime_of(request)
    sid = path_sid("monitor", token, "token")
    since = fields.text("from", max_length=_TIME) or DEFAULT_FROM
    until = fields.text("to", max_length=_TIME)
    if group == "host":
        per_location = await runtime.monitors.metrics_by_location(
            principal.account_sid, sid, since=since, until=until
        )
        places = {location.code: location for location in await runtime.locations.list()}
        return JsonResponse(
            {
                code: {**render.metrics(figures), "host": render.host(places.get(code))}
                for code, figures in per_location.items()
            }
        )
    found = await runtime.monitors.metrics(
        principal.account_sid,
        sid,
        since=since,
        until=until,
        group="hour" if group == "time" else None,
    )
    if group is None:
        return JsonResponse(render.metrics(found.whole.figures))
    grouped: dict[str, Any] = {
        isoformat(span.start): render.metrics(span.figures) for span in found.groups
    }
    return JsonResponse(grouped)
