"""`/v1/webhooks`: webhook subscriptions, their test event and secret rotation, and the
endpoints whose deliveries keep failing (`?state=failing`). The whole secret is shown only by create and rotate-secret."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from typing_extensions import TypedDict

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.openapi import answer
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.failing import EndpointState
from watchwire.text import SingleLine

router = APIRouter(tags=["webhooks"])
Caller = Annotated[Principal, Depends(require("webhook"))]
Format = Literal["standard", "enterno", "generatorlabs", "entri", "updown"]


@answer
class DeletedJson(TypedDict):
    id: str
    deleted: bool


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: SingleLine = Field(max_length=2048, description="Destination URL (https)")
    name: SingleLine = Field(default="", max_length=255)
    secret: SingleLine | None = Field(
        default=None, description="Signing secret; default: a generated whsec_ secret"
    )
    events: list[SingleLine] | None = Field(
        default=None, description="Event types to receive; default: all the plan allows"
    )
    is_active: bool = True
    format: Format = "standard"
    legacy_signature: bool = Field(
        default=False, description="enterno format: also send the body-only X-Enterno-Signature"
    )


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: SingleLine | None = Field(default=None, max_length=2048)
    name: SingleLine | None = Field(default=None, max_length=255)
    events: list[SingleLine] | None = None
    is_active: bool | None = None
    format: Format | None = None
    legacy_signature: bool | None = None


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: SingleLine | None = Field(
        default=None, description="The new secret; default: generated"
    )


@router.post(
    "/webhooks",
    status_code=201,
    summary="Create a webhook subscription",
    response_model=render.SubscriptionJson,
)
async def create_webhook(request: Request, body: WebhookCreate, principal: Caller) -> JsonResponse:
    created = await runtime_of(request).subscriptions.create(
        principal.account_sid, principal.plan, **body.model_dump()
    )
    return ok(request, render.subscription(created), status=201)


@router.get(
    "/webhooks",
    summary="List the account's webhook subscriptions",
    response_model=list[render.SubscriptionJson],
)
async def list_webhooks(
    request: Request,
    principal: Caller,
    page: Annotated[PageRequest, Depends(page_request)],
    state: Annotated[
        EndpointState | None,
        Query(
            description="`failing`: deliveries keep failing (see `failing`); `disabled`, `active`"
        ),
    ] = None,
) -> JsonResponse:
    result = await runtime_of(request).subscriptions.list_page(
        principal.account_sid, page, state=state
    )
    items = [render.subscription(s) for s in result.items]
    return ok(request, items, pagination=result.meta())


@router.get(
    "/webhooks/{sid}",
    summary="One webhook subscription (secret masked)",
    response_model=render.SubscriptionJson,
)
async def get_webhook(request: Request, sid: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).subscriptions.get(principal.account_sid, sid)
    return ok(request, render.subscription(found))


async def _update(
    request: Request, sid: str, body: WebhookUpdate, principal: Principal
) -> JsonResponse:
    changes = body.model_dump(exclude_unset=True)
    updated = await runtime_of(request).subscriptions.update(
        principal.account_sid, sid, principal.plan, changes
    )
    return ok(request, render.subscription(updated))


@router.patch(
    "/webhooks/{sid}",
    summary="Change a webhook subscription",
    response_model=render.SubscriptionJson,
)
async def patch_webhook(
    request: Request, sid: str, body: WebhookUpdate, principal: Caller
) -> JsonResponse:
    return await _update(request, sid, body, principal)


@router.put(
    "/webhooks/{sid}",
    summary="Change a webhook subscription (as PATCH, 000's verb)",
    response_model=render.SubscriptionJson,
)
async def put_webhook(
    request: Request, sid: str, body: WebhookUpdate, principal: Caller
) -> JsonResponse:
    return await _update(request, sid, body, principal)


@router.delete(
    "/webhooks/{sid}", summary="Delete a webhook subscription", response_model=DeletedJson
)
async def delete_webhook(request: Request, sid: str, principal: Caller) -> JsonResponse:
    await runtime_of(request).subscriptions.delete(principal.account_sid, sid)
    return ok(request, DeletedJson(id=sid, deleted=True))


@router.post(
    "/webhooks/{sid}/test",
    status_code=202,
    summary="Send a test event",
    response_model=render.TestSentJson,
)
async def test_webhook(request: Request, sid: str, principal: Caller) -> JsonResponse:
    sent = await runtime_of(request).subscriptions.send_test(principal.account_sid, sid)
    return ok(request, render.webhook_test_sent(sent), status=202)


@router.post(
    "/webhooks/{sid}/rotate-secret",
    summary="Replace the secret (shown once); the old one keeps signing for 24 hours",
    response_model=render.SubscriptionJson,
)
async def rotate_secret(
    request: Request,
    sid: str,
    principal: Caller,
    body: Annotated[SecretRotation | None, Body()] = None,
) -> JsonResponse:
    secret = body.secret if body is not None else None
    rotated = await runtime_of(request).subscriptions.rotate_secret(
        principal.account_sid, sid, secret
    )
    return ok(request, render.subscription(rotated))
