"""The legacy `/api/webhooks` (the Go client, Terraform's `updown_webhook`): list `[{id,
url}]`, create `{url}` (a subscription in updown's format) and delete. Scope `webhook`.
Endpoints disabled after 1,000 failed deliveries are not listed (001: "removed")."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.paging import every_item
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.dialects.updown import render
from watchwire.api.dialects.updown.auth import Webhooks
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["webhooks"])
webhooks = Crud(router, "/api/webhooks", create_status=201)


@webhooks.list
async def list_webhooks(request: Request, principal: Webhooks) -> JsonResponse:
    found = await every_item(
        partial(runtime_of(request).subscriptions.list_page, principal.account_sid)
    )
    return JsonResponse([render.webhook(w) for w in found if w.disabled_reason is None])


@webhooks.create
async def create_webhook(request: Request, principal: Webhooks) -> JsonResponse:
    fields = await read_fields(request)
    url = fields.text("url", required=True, max_length=2048) or ""
    created = await runtime_of(request).subscriptions.create(
        principal.account_sid, principal.plan, url=url, format="updown"
    )
    return JsonResponse(render.webhook(created), status_code=201)


@webhooks.delete
async def delete_webhook(request: Request, id: str, principal: Webhooks) -> JsonResponse:
    await runtime_of(request).subscriptions.delete(principal.account_sid, path_sid("webhook", id))
    return JsonResponse({"deleted": True})
