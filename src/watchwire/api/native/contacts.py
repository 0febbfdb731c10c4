"""`/v1/contacts` and `/v1/contact-groups`: who is told about events (003's contacts), with
the confirmation flow (`confirm`, `resend`) and pause/resume. Scope `contacts`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.contact_bodies import (
    CREATE,
    ContactChange,
    GroupChange,
    GroupCreate,
    checked_create,
)
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.text import SingleLine

router = APIRouter(tags=["contacts"])
Caller = Annotated[Principal, Depends(require("contacts"))]
Paging = Annotated[PageRequest, Depends(page_request)]


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    authcode: SingleLine = Field(max_length=64, description="The code sent to the contact")


@router.get(
    "/contacts", summary="List the account's contacts", response_model=list[render.ContactJson]
)
async def list_contacts(
    request: Request,
    principal: Caller,
    page: Paging,
    state: Annotated[
        Literal["failing"] | None,
        Query(description="`failing`: only contacts whose deliveries keep failing"),
    ] = None,
) -> JsonResponse:
    result = await runtime_of(request).contacts.list_contacts(
        principal.account_sid, page, failing=state == "failing"
    )
    return ok(request, [render.contact(c) for c in result.items], pagination=result.meta())


@router.post(
    "/contacts",
    status_code=201,
    summary="Create a contact; it is sent a code",
    openapi_extra=CREATE,
    response_model=render.ContactJson,
)
async def create_contact(
    request: Request, body: Annotated[dict[str, Any], Body()], principal: Caller
) -> JsonResponse:
    created = await runtime_of(request).contacts.create_contact(
        principal.account_sid, **checked_create(body, runtime_of(request).channel_ctx)
    )
    return ok(request, render.contact(created), status=201)


@router.get("/contacts/{sid}", summary="One contact", response_model=render.ContactJson)
async def get_contact(request: Request, sid: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).contacts.get_contact(principal.account_sid, sid)
    return ok(request, render.contact(found))


@router.patch(
    "/contacts/{sid}",
    summary="Change a contact (a new destination is re-confirmed)",
    response_model=render.ContactJson,
)
async def update_contact(
    request: Request, sid: str, body: ContactChange, principal: Caller
) -> JsonResponse:
    # As given: the settings model chosen must not add its defaults to the contact's.
    changed = await runtime_of(request).contacts.update_contact(
        principal.account_sid, sid, **body.model_dump(exclude_unset=True)
    )
    return ok(request, render.contact(changed))


@router.delete("/contacts/{sid}", summary="Delete a contact", response_model=render.ContactJson)
async def delete_contact(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).contacts
    return ok(request, render.contact(await service.delete_contact(principal.account_sid, sid)))


@router.post(
    "/contacts/{sid}/pause",
    summary="Stop notifications to a contact",
    response_model=render.ContactJson,
)
async def pause_contact(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).contacts
    return ok(request, render.contact(await service.pause_contact(principal.account_sid, sid)))


@router.post(
    "/contacts/{sid}/resume",
    summary="Resume notifications to a paused contact",
    response_model=render.ContactJson,
)
async def resume_contact(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).contacts
    return ok(request, render.contact(await service.resume_contact(principal.account_sid, sid)))


@router.post(
    "/contacts/{sid}/confirm",
    summary="Confirm a pending contact with its code",
    response_model=render.ContactJson,
)
async def confirm_contact(
    request: Request, sid: str, body: Confirmation, principal: Caller
) -> JsonResponse:
    service = runtime_of(request).contacts
    confirmed = await service.confirm_contact(principal.account_sid, sid, body.authcode)
    return ok(request, render.contact(confirmed))


@router.post(
    "/contacts/{sid}/resend",
    summary="Send a pending contact a new code",
    response_model=render.ContactJson,
)
async def resend_confirmation(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).contacts
    resent = await service.resend_confirmation(principal.account_sid, sid)
    return ok(request, render.contact(resent))


@router.get(
    "/contact-groups",
    summary="List the account's contact groups",
    response_model=list[render.ContactGroupJson],
)
async def list_groups(request: Request, principal: Caller, page: Paging) -> JsonResponse:
    result = await runtime_of(request).contact_groups.list_groups(principal.account_sid, page)
    items = [render.contact_group(g) for g in result.items]
    return ok(request, items, pagination=result.meta())


@router.post(
    "/contact-groups",
    status_code=201,
    summary="Create a contact group",
    response_model=render.ContactGroupJson,
)
async def create_group(request: Request, body: GroupCreate, principal: Caller) -> JsonResponse:
    created = await runtime_of(request).contact_groups.create_group(
        principal.account_sid, **body.model_dump()
    )
    return ok(request, render.contact_group(created), status=201)


@router.get(
    "/contact-groups/{sid}",
    summary="One contact group with its members",
    response_model=render.ContactGroupJson,
)
async def get_group(request: Request, sid: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).contact_groups.get_group(principal.account_sid, sid)
    return ok(request, render.contact_group(found))


@router.patch(
    "/contact-groups/{sid}",
    summary="Rename, make default or change members",
    response_model=render.ContactGroupJson,
)
async def update_group(
    request: Request, sid: str, body: GroupChange, principal: Caller
) -> JsonResponse:
    changed = await runtime_of(request).contact_groups.update_group(
        principal.account_sid, sid, **body.model_dump()
    )
    return ok(request, render.contact_group(changed))


@router.delete(
    "/contact-groups/{sid}",
    summary="Delete a contact group (its contacts stay)",
    response_model=render.ContactGroupJson,
)
async def delete_group(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).contact_groups
    return ok(request, render.contact_group(await service.delete_group(principal.account_sid, sid)))
