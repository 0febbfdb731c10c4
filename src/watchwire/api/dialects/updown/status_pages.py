"""`/api/status_pages` (also spelt `/api/status-pages`): list, create, read, update and
delete status pages with their ordered `checks[]`, `name`, `description`, `visibility`
(public, protected, private) and `access_key` (protected pages). Scope `monitors`.

A check's own page (its `published` flag) is not one of these: it is neither listed nor
reachable here, and goes with the flag.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.paging import every_item
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.dialects.updown import render
from watchwire.api.dialects.updown.auth import Monitors
from watchwire.api.envelope import JsonResponse
from watchwire.errors import NotFoundError
from watchwire.services.accounts import Principal
from watchwire.services.status_pages.records import StatusPage
from watchwire.services.status_pages.service import ComponentInput, PageFields

router = APIRouter(tags=["status_pages"])
# updown serves both spellings; the underscore one first (the clients' own).
SPELLINGS = ("/api/status_pages", "/api/status-pages")
VISIBILITIES = ("public", "protected", "private")
_TOKEN = 64


def page_fields(fields: Fields) -> PageFields:
    checks = fields.sids("checks", "monitor")
    return PageFields(
        name=fields.text("name", max_length=255),
        description=fields.text("description", max_length=10_000, lines=True)
        if fields.has("description")
        else None,
        components=None if checks is None else [ComponentInput(sid) for sid in checks],
        visibility=fields.choice("visibility", VISIBILITIES),
        access_key=fields.text("access_key", max_length=255),
    )


async def _own_page(request: Request, principal: Principal, token: str) -> StatusPage:
    if len(token) > _TOKEN:
        raise NotFoundError("Status page not found")
    page = await runtime_of(request).status_pages.get_page(principal.account_sid, token)
    if page.published_monitor_sid is not None:
        raise NotFoundError("Status page not found")
    return page


async def list_pages(request: Request, principal: Monitors) -> JsonResponse:
    pages = await every_item(
        partial(runtime_of(request).status_pages.list_pages, principal.account_sid)
    )
    shown: list[Any] = [
        render.status_page(request, p) for p in pages if p.published_monitor_sid is None
    ]
    return JsonResponse(shown)


async def create_page(request: Request, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    chosen = page_fields(fields)
    created = await runtime_of(request).status_pages.create_page(principal.account_sid, chosen)
    answer = render.status_page(request, created, access_key=chosen.access_key)
    return JsonResponse(answer, status_code=201)


async def get_page(request: Request, token: str, principal: Monitors) -> JsonResponse:
    return JsonResponse(render.status_page(request, await _own_page(request, principal, token)))


async def update_page(request: Request, token: str, principal: Monitors) -> JsonResponse:
    fields = await read_fields(request)
    await _own_page(request, principal, token)
    chosen = page_fields(fields)
    changed = await runtime_of(request).status_pages.update_page(
        principal.account_sid, token, chosen
    )
    return JsonResponse(render.status_page(request, changed, access_key=chosen.access_key))


async def delete_page(request: Request, token: str, principal: Monitors) -> JsonResponse:
    await _own_page(request, principal, token)
    await runtime_of(request).status_pages.delete_page(principal.account_sid, token)
    return JsonResponse({"deleted": True})


for spelling in SPELLINGS:
    pages = Crud(router, spelling, id_name="token", create_status=201)
    pages.list(list_pages)
    pages.create(create_page)
    pages.get(get_page)
    pages.update(update_page)
    pages.delete(delete_page)
