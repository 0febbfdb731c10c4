"""`/v1/status-pages` and their incidents and maintenance windows (`…/incidents`), for the
page's owner. Visitors see pages through the web face. Scope `monitors`: a page shows the
account's monitors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native.params import page_request
from watchwire.api.native.render_status import NoticeJson, PageJson, notice, page
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.status_pages.records import MAX_COMPONENTS, MAX_GROUPS, MAX_MESSAGE
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.text import SingleLine

router = APIRouter(tags=["status pages"])
Caller = Annotated[Principal, Depends(require("monitors"))]
Paging = Annotated[PageRequest, Depends(page_request)]
Text = Annotated[str, Field(max_length=MAX_MESSAGE, description="Markdown, shown escaped")]


class ComponentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sid: SingleLine = Field(
        max_length=34, description="A monitor, certificate, domain or RBL host SID"
    )
    group: SingleLine | None = Field(default=None, max_length=255, description="One of `groups`")


class PageChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=255)
    description: Text | None = None
    components: list[ComponentBody] | None = Field(default=None, max_length=MAX_COMPONENTS)
    groups: list[SingleLine] | None = Field(default=None, max_length=MAX_GROUPS)
    visibility: Literal["public", "protected", "private"] | None = None
    access_key: SingleLine | None = Field(default=None, min_length=8, max_length=255)
    title: SingleLine | None = Field(default=None, max_length=255)
    logo_url: SingleLine | None = Field(default=None, max_length=2048)
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    footer: Text | None = None
    timezone: SingleLine | None = Field(default=None, max_length=64, description="IANA name")
    custom_domain: SingleLine | None = Field(default=None, max_length=253)

    def fields(self) -> PageFields:
        values: dict[str, Any] = self.model_dump(exclude={"components"})
        components = (
            [ComponentInput(c.sid, c.group) for c in self.components]
            if self.components is not None
            else None
        )
        return PageFields(components=components, **values)


class PageCreate(PageChange):
    name: SingleLine = Field(min_length=1, max_length=255)


class NoticeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: SingleLine | None = Field(default=None, min_length=1, max_length=255)
    message: Text | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    components: list[SingleLine] | None = Field(default=None, max_length=MAX_COMPONENTS)


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["incident", "maintenance"] = "incident"
    title: SingleLine = Field(min_length=1, max_length=255)
    message: Text = ""
    state: SingleLine | None = Field(
        default=None,
        description="incident: investigating (default), identified, monitoring, resolved; "
        "maintenance: scheduled (default), in_progress, completed",
    )
    starts_at: datetime | None = Field(default=None, description="Default: now")
    ends_at: datetime | None = None
    components: list[SingleLine] = Field(default_factory=list, max_length=MAX_COMPONENTS)


class UpdateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: SingleLine = Field(description="The notice's new state")
    message: Text = ""


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
    response_model=NoticeJson,
)
async def create_notice(
    request: Request, token: str, body: NoticeCreate, principal: Caller
) -> JsonResponse:
    created = await runtime_of(request).status_pages.create_notice(
        principal.account_sid, token, **body.model_dump()
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
