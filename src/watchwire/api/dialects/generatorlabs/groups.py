"""`/4.0/contact/groups…`: 003's contact groups over the contact service; `is_default` takes
the default over from any other group (a service rule)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.generatorlabs import render
from watchwire.api.dialects.generatorlabs.auth import caller
from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.generatorlabs.pagination import listing, page_request, single
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal
from watchwire.services.contact_groups import ContactGroupService

router = APIRouter(tags=["contact groups"])
groups = Crud(router, "/contact/groups", suffix=".json")
Caller = Annotated[Principal, Depends(caller("contacts"))]
NAME_LENGTH = 255


def _service(request: Request) -> ContactGroupService:
    return runtime_of(request).contact_groups


@groups.list
async def list_groups(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_groups(principal.account_sid, page)
    items = [render.group(g) for g in result.items]
    return listing("Contact Groups", "groups", items, result)


@groups.create
async def create_group(request: Request, principal: Caller) -> JsonResponse:
    fields = await read_fields(request)
    created = await _service(request).create_group(
        principal.account_sid,
        name=fields.text("name", required=True, max_length=NAME_LENGTH) or "",
        is_default=bool(fields.boolean("is_default")),
        contacts=fields.sids("contacts", "contact") or (),
    )
    return success("Contact group added successfully.", render.group(created))


@groups.get
async def get_group(request: Request, id: str, principal: Caller) -> JsonResponse:
    found = await _service(request).get_group(principal.account_sid, path_sid("contact_group", id))
    return single("Contact Groups", "groups", render.group(found))


@groups.update
async def update_group(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("contact_group", id)
    fields = await read_fields(request)
    if fields.has("name"):
        fields.text("name", required=True, max_length=NAME_LENGTH)
    await _service(request).update_group(
        principal.account_sid,
        sid,
        name=fields.text("name", max_length=NAME_LENGTH),
        is_default=fields.boolean("is_default"),
        contacts=fields.sids("contacts", "contact"),
    )
    return success("Contact group updated successfully.")


@groups.delete
async def delete_group(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_group(principal.account_sid, path_sid("contact_group", id))
    return success("Contact Group deleted successfully.")
