"""`/api/checks`: list every check, read one (`?metrics=true` adds the last hour's metrics),
create (201), update (PUT) and delete (`{"deleted": true}`). Scope `monitors`."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.paging import every_item
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.dialects.updown import reading, render
from watchwire.api.dialects.updown.auth import Monitors
from watchwire.api.envelope import JsonResponse
from watchwire.errors import ConflictError, ValidationError
from watchwire.services.accounts import Principal
from watchwire.services.monitor_records import Monitor

router = APIRouter(tags=["checks"])
checks = Crud(router, "/api/checks", id_name="token", create_status=201)
# updown's `uptime` covers the last month [I: its window is not public].
UPTIME_WINDOW = timedelta(days=30)


async def recipients_of(request: Request, account_sid: str) -> render.Recipients:
    """The account's contacts and webhooks, to name a check's recipients by `type:SID`."""
    runtime = runtime_of(request)
    contacts = await every_item(partial(runtime.contacts.list_contacts, account_sid))
    webhooks = await every_item(partial(runtime.subscriptions.list_page, account_sid))
    return render.Recipients.of(contacts, [w for w in webhooks if w.disabled_reason is None])


async def shown(request: Request, principal: Principal, monitors: list[Monitor]) -> list[Any]:
    """The check objects of `monitors`, with their uptime and recipients."""
    runtime = runtime_of(request)
    uptimes = await runtime.monitors.uptimes(principal.account_sid, UPTIME_WINDOW)
    book = await recipients_of(request, principal.account_sid)
    now = runtime.clock.now()
    return [
        render.check(request, m, uptime=uptimes.get(m.sid), recipients=book, now=now)
        for m in monitors
    ]


async def _publishing(
    request: Request, principal: Principal, monitor: Monitor, published: bool | None
) -> Monitor:
    """The monitor after its `published` flag is set as asked (None: left as it is)."""
    if published is None or published == (monitor.published_page is not None):
        return monitor
    runtime = runtime_of(request)
    await runtime.status_pages.set_published(principal.account_sid, monitor.sid, published)
    return await runtime.monitors.get(principal.account_sid, monitor.sid)


def _registered(exc: ConflictError, url: str) -> Exception:
    if exc.code != "monitor_exists":
        return exc
    return ValidationError.field("url", "taken", f'url is already registered (given: "{url}")')


@checks.list
async def list_checks(request: Request, principal: Monitors) -> JsonResponse:
    monitors = await every_item(partial(runtime_of(request).monitors.list, principal.account_sid))
    return JsonResponse(await shown(request, principal, monitors))


@checks.get
async def get_check(request: Request, token: str, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    runtime = runtime_of(request)
    monitor = await runtime.monitors.get(principal.account_sid, path_sid("monitor", token, "token"))
    [answer] = await shown(request, principal, [monitor])
    if fields.boolean("metrics"):
        # "Last hour only": the metrics of the hour just passed and of the one under way.
        hour = await runtime.monitors.metrics(
            principal.account_sid, monitor.sid, since="1 hour ago"
        )
        answer["metrics"] = render.metrics(hour.whole.figures)
    return JsonResponse(answer)


@checks.create
async def create_check(request: Request, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    values = reading.create_fields(fields)
    runtime = runtime_of(request)
    try:
        monitor = await runtime.monitors.create(
            principal.account_sid, values, min_interval=principal.plan.min_interval_seconds
        )
    except ConflictError as exc:
        raise _registered(exc, fields.text("url") or "") from None
    monitor = await _publishing(request, principal, monitor, reading.published(fields))
    [answer] = await shown(request, principal, [monitor])
    return JsonResponse(answer, status_code=201)


@checks.update
async def update_check(request: Request, token: str, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    runtime = runtime_of(request)
    sid = path_sid("monitor", token, "token")
    current = await runtime.monitors.get(principal.account_sid, sid)
    changes = reading.update_fields(fields, current)
    try:
        monitor = await runtime.monitors.update(
            principal.account_sid, sid, changes, min_interval=principal.plan.min_interval_seconds
        )
    except ConflictError as exc:
        raise _registered(exc, fields.text("url") or "") from None
    monitor = await _publishing(request, principal, monitor, reading.published(fields))
    [answer] = await shown(request, principal, [monitor])
    return JsonResponse(answer)


@checks.delete
async def delete_check(request: Request, token: str, principal: Monitors) -> JsonResponse:
    sid = path_sid("monitor", token, "token")
    await runtime_of(request).monitors.delete(principal.account_sid, sid)
    return JsonResponse({"deleted": True})
