"""`/4.0/rbl/profiles…`: 003's monitoring profiles over the RBL service.

003 marks `frequency` and `sync_method` required, yet its own create sample sends neither:
they stay optional (the service defaults the frequency and derives `sync_method` from
`entries`, as 003 describes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.generatorlabs import render
from watchwire.api.dialects.generatorlabs.auth import caller
from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.generatorlabs.pagination import listing, page_request, single
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal
from watchwire.services.rbl.model import FREQUENCIES, SYNC_METHODS
from watchwire.services.rbl.service import RblService

router = APIRouter(tags=["rbl profiles"])
profiles = Crud(router, "/rbl/profiles", suffix=".json")
Caller = Annotated[Principal, Depends(caller("rbl"))]


def _service(request: Request) -> RblService:
    return runtime_of(request).rbl


def _profile_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    return Fields.present(
        {
            "name": fields.text("name", required=creating or fields.has("name"), max_length=255),
            "entries": fields.sids("entries", "rbl_source"),
            "frequency": fields.choice("frequency", tuple(FREQUENCIES)),
            "sync_method": fields.choice("sync_method", tuple(SYNC_METHODS)),
            "is_default": fields.boolean("is_default"),
        }
    )


@profiles.list
async def list_profiles(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_profiles(principal.account_sid, page)
    items = [render.rbl_profile(p) for p in result.items]
    return listing("Monitoring Profiles", "profiles", items, result)


@profiles.create
async def create_profile(request: Request, principal: Caller) -> JsonResponse:
    fields = _profile_fields(await read_fields(request), creating=True)
    created = await _service(request).create_profile(principal.account_sid, fields)
    return success("Monitoring Profile added successfully.", render.rbl_profile(created))


@profiles.get
async def get_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_profile", id)
    profile = await _service(request).get_profile(principal.account_sid, sid)
    return single("Monitoring Profiles", "profiles", render.rbl_profile(profile))


@profiles.update
async def update_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_profile", id)
    fields = _profile_fields(await read_fields(request), creating=False)
    await _service(request).update_profile(principal.account_sid, sid, fields)
    return success("Monitoring Profile updated successfully.")


@profiles.delete
async def delete_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_profile(principal.account_sid, path_sid("rbl_profile", id))
    return success("Monitoring profile deleted successfully.")
