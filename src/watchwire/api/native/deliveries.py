"""`/v1/deliveries`: the delivery log with its filters, its summary (counts by status and
the failing endpoints), one delivery with its attempts, and redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.deliveries import DeliveryFilter

router = APIRouter(tags=["deliveries"])
Caller = Annotated[Principal, Depends(require("webhook"))]


@router.get(
    "/deliveries",
    summary="The delivery log, newest first",
    response_model=list[render.DeliveryJson],
)
async def list_deliveries(
    request: Request,
    principal: Caller,
    page: Annotated[PageRequest, Depends(page_request)],
    webhook_id: Annotated[str | None, Query(description="Only this subscription's")] = None,
    event_type: Annotated[str | None, Query(description="Only this event type")] = None,
    status: Annotated[
        str | None, Query(description="pending, retrying, delivered, failed or dead")
    ] = None,
) -> JsonResponse:
    filters = DeliveryFilter(webhook_id=webhook_id, event_type=event_type, status=status)
    result = await runtime_of(request).deliveries.list_page(principal.account_sid, filters, page)
    return ok(request, [render.delivery(d) for d in result.items], pagination=result.meta())


@router.get(
    "/deliveries/summary",
    summary="Deliveries by status, and the endpoints whose deliveries keep failing",
    response_model=render.DeliverySummaryJson,
)
async def delivery_summary(request: Request, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).deliveries.summary(principal.account_sid)
    return ok(request, render.delivery_summary(found))


@router.get(
    "/deliveries/{sid}",
    summary="One delivery with every attempt",
    response_model=render.DeliveryDetailJson,
)
async def get_delivery(request: Request, sid: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).deliveries.get(principal.account_sid, sid)
    return ok(request, render.delivery_detail(found))


@router.post(
    "/deliveries/{sid}/redeliver",
    status_code=202,
    summary="Deliver a finished delivery again",
    response_model=render.DeliveryDetailJson,
)
async def redeliver(request: Request, sid: str, principal: Caller) -> JsonResponse:
    queued = await runtime_of(request).deliveries.redeliver(principal.account_sid, sid)
    return ok(request, render.delivery_detail(queued), status=202)
