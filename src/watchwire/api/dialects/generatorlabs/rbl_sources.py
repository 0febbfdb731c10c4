"""`/4.0/rbl/sources…`: the catalogue of lists and the account's custom sources (003's
"Custom RBL"), over the RBL service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.generatorlabs.auth import caller
from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.generatorlabs.pagination import listing, page_request, single
from watchwire.api.dialects.generatorlabs.parsing import Fields, path_sid, read_fields
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal
from watchwire.services.rbl.model import SOURCE_TYPES
from watchwire.services.rbl.service import RblService

router = APIRouter(tags=["rbl sources"])
Caller = Annotated[Principal, Depends(caller("rbl"))]
ITEM = "/rbl/sources/{id}"


def _service(request: Request) -> RblService:
    return runtime_of(request).rbl


def _source_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    fields.text("host", required=creating, max_length=253)
    fields.choice("type", tuple(SOURCE_TYPES), required=creating)
    return fields.subset(("host", "type", "custom_codes"))


@router.get("/rbl/sources.json")
async def list_sources(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_sources(principal.account_sid, page)
    return listing("Data Sources", "sources", result.items, result)


@router.post("/rbl/sources.json")
async def create_source(request: Request, principal: Caller) -> JsonResponse:
    fields = _source_fields(await read_fields(request), creating=True)
    created = await _service(request).create_source(principal.account_sid, fields)
    return success("Custom RBL added successfully.", created)


@router.get(ITEM + ".json")
async def get_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    source = await _service(request).get_source(principal.account_sid, sid)
    return single("Data Sources", "sources", source)


@router.put(ITEM + ".json")
async def update_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    fields = _source_fields(await read_fields(request), creating=False)
    await _service(request).update_source(principal.account_sid, sid, fields)
    return success("Custom RBL updated successfully.")


@router.delete(ITEM + ".json")
async def delete_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_source(principal.account_sid, path_sid("rbl_source", id))
    return success("Custom RBL deleted successfully.")


@router.post(ITEM + "/pause.json")
async def pause_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    await _service(request).set_source_paused(principal.account_sid, sid, True)
    return success("Custom RBL paused successfully.")


@router.post(ITEM + "/resume.json")
async def resume_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    await _service(request).set_source_paused(principal.account_sid, sid, False)
    return success("Custom RBL activated successfully.")
