"""`/api/recipients`: the account's contacts and webhook subscriptions as one list of
recipients with `type:SID` ids; create one (`type`, `value`, `name`, `selected`) and delete
one. Contacts need the key's `contacts` scope, webhooks its `webhook` scope; the list shows
what the key may see.

`selected` (updown: "select this recipient for all checks"): a contact goes into the
account's default contact group, which every check without its own recipient list tells,
unless `selected` is false (then in no group: told only by checks that name it); a webhook
reaches every check without its own list anyway. With `selected=true` the recipient is also
added to every check that has its own list. Webhooks are made in updown's format and hidden
once disabled after 1,000 failed deliveries (001: "automatically removed").
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.paging import every_item
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.dialects.updown import render
from watchwire.api.dialects.updown.auth import Anyone, require_scope
from watchwire.api.envelope import JsonResponse
from watchwire.errors import ForbiddenError, NotFoundError
from watchwire.ids import is_sid

router = APIRouter(tags=["recipients"])
recipients = Crud(router, "/api/recipients", create_status=201)
WEBHOOK = "webhook"
_VALUE = 2048


@recipients.list
async def list_recipients(request: Request, principal: Anyone) -> JsonResponse:
    runtime = runtime_of(request)
    shown: list[dict[str, Any]] = []
    if principal.has_scope("contacts"):
        contacts = await every_item(partial(runtime.contacts.list_contacts, principal.account_sid))
        shown.extend(render.recipient_of_contact(c) for c in contacts)
    if principal.has_scope("webhook"):
        webhooks = await every_item(partial(runtime.subscriptions.list_page, principal.account_sid))
        shown.extend(render.recipient_of_webhook(w) for w in webhooks if w.disabled_reason is None)
    if not principal.has_scope("contacts") and not principal.has_scope("webhook"):
        raise ForbiddenError("This API key has neither the 'contacts' nor the 'webhook' scope")
    return JsonResponse(shown)


@recipients.create
async def create_recipient(request: Request, principal: Anyone) -> JsonResponse:
    fields = await read_fields(request)
    kind = fields.text("type", required=True, max_length=64) or ""
    value = fields.text("value", required=True, max_length=_VALUE) or ""
    name = fields.text("name", max_length=255)
    selected = fields.boolean("selected")
    runtime = runtime_of(request)
    if kind == WEBHOOK:
        require_scope(principal, "webhook")
        hook = await runtime.subscriptions.create(
            principal.account_sid, principal.plan, url=value, name=name or "", format="updown"
        )
        sid, answer = hook.sid, render.recipient_of_webhook(hook)
    else:
        require_scope(principal, "contacts")
        contact = await runtime.contacts.create_contact(
            principal.account_sid,
            type=kind,
            contact=value,
            name=name,
            contact_groups=None if selected is not False else [],
        )
        sid, answer = contact.sid, render.recipient_of_contact(contact)
    if selected:
        await runtime.monitors.add_recipient_everywhere(principal.account_sid, sid)
    return JsonResponse(answer, status_code=201)


@recipients.delete
async def delete_recipient(request: Request, id: str, principal: Anyone) -> JsonResponse:
    sid = id.rpartition(":")[2]
    runtime = runtime_of(request)
    if is_sid("webhook", sid):
        require_scope(principal, "webhook")
        await runtime.subscriptions.delete(principal.account_sid, sid)
    elif is_sid("contact", sid):
        require_scope(principal, "contacts")
        await runtime.contacts.delete_contact(principal.account_sid, sid)
    else:
        raise NotFoundError("Recipient not found")
    return JsonResponse({"deleted": True})
