"""`/v1/status-pages` and their incidents and maintenance windows (`…/incidents`), for the
page's owner. Visitors see pages through the web face. Scope `monitors`: a page shows the
account's monitors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.params import page_request
from watchwire.api.native.render_status import NoticeJson, PageJson, notice, page
from watchwire.api.native.status_page_bodies import (
    NOTICE_CREATE,
    NoticeChange,
    PageChange,
    PageCreate,
    UpdateCreate,
    checked_notice,
)
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal

router = APIRouter(tags=["status pages"])
Caller = Annotated[Principal, Depends(require("monitors"))]
Paging = Annotated[PageRequest, Depends(page_request)]


@router.get(
    "/status-pages", summary="List the account's status pages", response_model=list[PageJson]
)
async def list_pages(request: Request, principal: Caller, paging: Paging) -> JsonResponse:
    result = await runtime_of(request).status_pages.list_pages(principal.account_sid, paging)
    return ok(request, [page(p) for p in result.items], pagination=result.meta())


@router.post(
    "/status-pages", status_code=201, summary="Create a status page", response_model=PageJson
)
async def create_page(request: Request, body: PageCreate, principal: Caller) -> JsonResponse:
    created = await runtime_of(request).status_pages.create_page(
        principal.account_sid, body.fields()
    )
    return ok(request, page(created), status=201)


@router.get("/status-pages/{token}", summary="One status page", response_model=PageJson)
async def get_page(request: Request, token: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).status_pages.get_page(principal.account_sid, token)
    return ok(request, page(found))


@router.patch("/status-pages/{token}", summary="Change a status page", response_model=PageJson)
async def update_page(
    request: Request, token: str, body: PageChange, principal: Caller
) -> JsonResponse:
    changed = await runtime_of(request).status_pages.update_page(
        principal.account_sid, token, body.fields()
    )
    return ok(request, page(changed))


@router.delete(
    "/status-pages/{token}", summary="Delete a status page and its notices", response_model=PageJson
)
async def delete_page(request: Request, token: str, principal: Caller) -> JsonResponse:
    gone = await runtime_of(request).status_pages.delete_page(principal.account_sid, token)
    return ok(request, page(gone))


@router.get(
    "/status-pages/{token}/incidents",
    summary="A page's incidents and maintenance",
    response_model=list[NoticeJson],
)
async def list_notices(
    request: Request, token: str, principal: Caller, paging: Paging
) -> JsonResponse:
    service = runtime_of(request).status_pages
    result = await service.list_notices(principal.account_sid, token, paging)
    return ok(request, [notice(n) for n in result.items], pagination=result.meta())


@router.post(
    "/status-pages/{token}/incidents",
    status_code=201,
    summary="Open an incident or schedule a maintenance window",
    openapi_extra=NOTICE_CREATE,
    response_model=NoticeJson,
)
async def create_notice(
    request: Request, token: str, body: Annotated[dict[str, Any], Body()], principal: Caller
) -> JsonResponse:
    created = await runtime_of(request).status_pages.create_notice(
        principal.account_sid, token, **checked_notice(body).model_dump()
    )
    return ok(request, notice(created), status=201)


@router.get(
    "/status-pages/{token}/incidents/{sid}",
    summary="One incident or maintenance",
    response_model=NoticeJson,
)
async def get_notice(request: Request, token: str, sid: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).status_pages.get_notice(principal.account_sid, token, sid)
    return ok(request, notice(found))


@router.patch(
    "/status-pages/{token}/incidents/{sid}",
    summary="Change an incident's text or span",
    response_model=NoticeJson,
)
async def update_notice(
    request: Request, token: str, sid: str, body: NoticeChange, principal: Caller
) -> JsonResponse:
    changed = await runtime_of(request).status_pages.update_notice(
        principal.account_sid, token, sid, **body.model_dump()
    )
    return ok(request, notice(changed))


@router.delete(
    "/status-pages/{token}/incidents/{sid}", summary="Delete an incident", response_model=NoticeJson
)
async def delete_notice(request: Request, token: str, sid: str, principal: Caller) -> JsonResponse:
    gone = await runtime_of(request).status_pages.delete_notice(principal.account_sid, token, sid)
    return ok(request, notice(gone))


@router.post(
    "/status-pages/{token}/incidents/{sid}/updates",
    status_code=201,
    summary="Post an update: a new state and message",
    response_model=NoticeJson,
)
async def add_update(
    request: Request, token: str, sid: str, body: UpdateCreate, principal: Caller
) -> JsonResponse:
    changed = await runtime_of(request).status_pages.add_update(
        principal.account_sid, token, sid, state=body.state, message=body.message
    )
    return ok(request, notice(changed), status=201)
