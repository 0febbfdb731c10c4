"""`/4.0/cert/profiles…`: 003's certificate profiles (expiry thresholds, alert switches) over
the certificate service."""

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
from watchwire.services.certs.service import CertService
from watchwire.services.certs.spec import SWITCHES

router = APIRouter(tags=["cert profiles"])
profiles = Crud(router, "/cert/profiles", suffix=".json")
Caller = Annotated[Principal, Depends(caller("cert"))]


def _service(request: Request) -> CertService:
    return runtime_of(request).certs


def _profile_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    name = fields.text("name", required=creating or fields.has("name"), max_length=255)
    chosen = Fields.present({"name": name})
    if thresholds := fields.items("expiration_thresholds"):
        chosen["expiration_thresholds"] = ",".join(thresholds)
    for switch in (*SWITCHES, "is_default"):
        if fields.has(switch):
            chosen[switch] = fields.boolean(switch)
    return chosen


@profiles.list
async def list_profiles(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_profiles(principal.account_sid, page)
    items = [render.cert_profile(p) for p in result.items]
    return listing("Certificate Profiles", "profiles", items, result)


@profiles.create
async def create_profile(request: Request, principal: Caller) -> JsonResponse:
    fields = _profile_fields(await read_fields(request), creating=True)
    created = await _service(request).create_profile(principal.account_sid, fields)
    return success("Certificate Profile added successfully.", render.cert_profile(created))


@profiles.get
async def get_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_profile", id)
    profile = await _service(request).get_profile(principal.account_sid, sid)
    return single("Certificate Profiles", "profiles", render.cert_profile(profile))


@profiles.update
async def update_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_profile", id)
    fields = _profile_fields(await read_fields(request), creating=False)
    await _service(request).update_profile(principal.account_sid, sid, fields)
    return success("Certificate Profile updated successfully.")


@profiles.delete
async def delete_profile(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_profile(principal.account_sid, path_sid("cert_profile", id))
    return success("Certificate Profile deleted successfully.")
