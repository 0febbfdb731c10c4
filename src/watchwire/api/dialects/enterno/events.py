"""`GET /api/v4/events` (scope `webhook`): the delivery history of the account's webhooks,
newest first, filtered by `webhook_id`, `event_type` and `status` (delivered, retrying,
failed, dead, pending), `page` (from 1) and `per_page` (at most 100, default 25), with
000's `meta.pagination {total, page, per_page, pages}`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.enterno import render
from watchwire.api.dialects.enterno.auth import admit, fields_of
from watchwire.api.dialects.enterno.envelope import V4, Envelope, success
from watchwire.api.dialects.kit.paging import page_request
from watchwire.errors import NotFoundError
from watchwire.pagination import Page
from watchwire.services.deliveries import DeliveryFilter

router = APIRouter(tags=["events"])
PATH = V4 + "/events"


@router.get(PATH)
async def list_events(request: Request) -> Envelope:
    principal = await admit(request, "webhook")
    fields = await fields_of(request)
    runtime = runtime_of(request)
    page = page_request(fields)
    webhook = fields.text("webhook_id", max_length=32)
    event_type = fields.text("event_type", max_length=64)
    status = fields.text("status", max_length=16)
    try:
        sid = (
            await runtime.aliases.sid_of("webhook", webhook, field="webhook_id")
            if webhook is not None
            else None
        )
    except NotFoundError:
        # No webhook has this id: nothing was delivered to it (another account's id answers
        # the same, so ids say nothing of other accounts).
        DeliveryFilter(status=status)  # the other filters' rules still hold
        return success([], pagination=Page([], 0, page).meta())
    filters = DeliveryFilter(
        webhook_id=sid, event_type=event_type, status=status, target_type="webhook"
    )
    found = await runtime.deliveries.list_page(principal.account_sid, filters, page)
    webhook_ids = await runtime.aliases.aliases_of({d.target_sid for d in found.items})
    return success(
        [render.event(item, webhook_ids) for item in found.items], pagination=found.meta()
    )
