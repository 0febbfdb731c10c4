"""`/4.0/contact/contacts…`: 003's contacts over the contact service, with the confirmation
flow (`confirm`, `resend`) and pause/resume."""

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
from watchwire.delivery.channels import CONTACT_TYPES
from watchwire.services.accounts import Principal
from watchwire.services.contacts import SCHEDULES, ContactService

router = APIRouter(tags=["contacts"])
contacts = Crud(router, "/contact/contacts", suffix=".json")
Caller = Annotated[Principal, Depends(caller("contacts"))]


def _service(request: Request) -> ContactService:
    return runtime_of(request).contacts


@contacts.list
async def list_contacts(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_contacts(principal.account_sid, page)
    items = [render.contact(c) for c in result.items]
    return listing("Contacts", "contacts", items, result)


@contacts.create
async def create_contact(request: Request, principal: Caller) -> JsonResponse:
    # 003 marks `schedule` required but deprecated, and its groups section says the default
    # group is used when `contact_group` is omitted: both stay optional here.
    fields = await read_fields(request)
    created = await _service(request).create_contact(
        principal.account_sid,
        contact=fields.text("contact", required=True) or "",
        type=fields.choice("type", CONTACT_TYPES, required=True) or "",
        schedule=fields.choice("schedule", SCHEDULES),
        contact_groups=fields.sids("contact_group", "contact_group"),
        args=fields.mapping("args"),
        name=fields.text("name", max_length=255),
    )
    return success("Contact added successfully.", render.contact(created))


@contacts.get
async def get_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    found = await _service(request).get_contact(principal.account_sid, path_sid("contact", id))
    return single("Contacts", "contacts", render.contact(found))


@contacts.update
async def update_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("contact", id)
    fields = await read_fields(request)
    await _service(request).update_contact(
        principal.account_sid,
        sid,
        contact=fields.text("contact"),
        schedule=fields.choice("schedule", SCHEDULES),
        contact_groups=fields.sids("contact_group", "contact_group"),
        args=fields.mapping("args"),
        name=fields.text("name", max_length=255),
    )
    return success("Contact updated successfully.")


@contacts.delete
async def delete_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_contact(principal.account_sid, path_sid("contact", id))
    return success("Contact deleted successfully.")


@contacts.action("pause")
async def pause_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).pause_contact(principal.account_sid, path_sid("contact", id))
    return success("Contact paused successfully.")


@contacts.action("resume")
async def resume_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).resume_contact(principal.account_sid, path_sid("contact", id))
    return success("Contact activated successfully.")


@contacts.action("resend")
async def resend_confirmation(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).resend_confirmation(principal.account_sid, path_sid("contact", id))
    return success("Contact authorization re-sent successfully.")


@contacts.action("confirm")
async def confirm_contact(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("contact", id)
    authcode = (await read_fields(request)).text("authcode", required=True, max_length=64)
    await _service(request).confirm_contact(principal.account_sid, sid, authcode or "")
    return success("Contact authorized successfully.")
