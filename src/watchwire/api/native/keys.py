"""`/v1/keys`: create (secret shown once), list, read and revoke API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import SCOPES, Principal
from watchwire.text import SingleLine

router = APIRouter(tags=["keys"])
Scope = Annotated[str, Field(json_schema_extra={"enum": list(SCOPES)})]
# An allowlist entry as the description states it: one address (the service also takes CIDRs).
Address = Annotated[
    str, Field(json_schema_extra={"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]})
]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(default="", max_length=255)
    scopes: list[Scope] | None = Field(
        default=None, description="Scopes for the key; default: all scopes of the calling key"
    )
    read_only: bool = False
    ip_allowlist: list[Address] = Field(default_factory=list, description="Addresses or CIDRs")


@router.post(
    "/keys",
    status_code=201,
    summary="Create an API key (the secret is shown once)",
    response_model=render.CreatedKeyJson,
)
async def create_key(
    request: Request, body: KeyCreate, principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    scopes = (
        sorted(principal.scopes & principal.plan.scopes) if body.scopes is None else body.scopes
    )
    created, key = await runtime_of(request).accounts.create_key(
        principal.account_sid,
        name=body.name,
        scopes=scopes,
        read_only=body.read_only,
        ip_allowlist=body.ip_allowlist,
        granted_by=principal.scopes,
    )
    return ok(request, render.created_key(key, created), status=201)


@router.get("/keys", summary="List the account's API keys", response_model=list[render.ApiKeyJson])
async def list_keys(
    request: Request,
    principal: Annotated[Principal, Depends(require())],
    page: Annotated[PageRequest, Depends(page_request)],
) -> JsonResponse:
    result = await runtime_of(request).accounts.list_keys(principal.account_sid, page)
    return ok(request, [render.api_key(k) for k in result.items], pagination=result.meta())


@router.get(
    "/keys/{sid}", summary="One API key (never its secret)", response_model=render.ApiKeyJson
)
async def get_key(
    request: Request, sid: str, principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    key = await runtime_of(request).accounts.get_key(principal.account_sid, sid)
    return ok(request, render.api_key(key))


@router.delete(
    "/keys/{sid}",
    summary="Revoke an API key; it stops working at once",
    response_model=render.ApiKeyJson,
)
async def revoke_key(
    request: Request, sid: str, principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    key = await runtime_of(request).accounts.revoke_key(principal.account_sid, sid)
    return ok(request, render.api_key(key))
