"""`/4.0/rbl/sources…`: the catalogue of lists and the account's custom sources (003's
"Custom RBL"), over the RBL service."""

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
from watchwire.services.rbl.model import SOURCE_TYPES
from watchwire.services.rbl.service import RblService

router = APIRouter(tags=["rbl sources"])
sources = Crud(router, "/rbl/sources", suffix=".json")
Caller = Annotated[Principal, Depends(caller("rbl"))]


def _service(request: Request) -> RblService:
    return runtime_of(request).rbl


def _source_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    return Fields.present(
        {
            "host": fields.text("host", required=creating or fields.has("host"), max_length=253),
            "type": fields.choice("type", tuple(SOURCE_TYPES), required=creating),
            "custom_codes": fields.items("custom_codes"),
        }
    )


@sources.list
async def list_sources(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_sources(principal.account_sid, page)
    items = [render.rbl_source(s) for s in result.items]
    return listing("Data Sources", "sources", items, result)


@sources.create
async def create_source(request: Request, principal: Caller) -> JsonResponse:
    fields = _source_fields(await read_fields(request), creating=True)
    created = await _service(request).create_source(principal.account_sid, fields)
    return success("Custom RBL added successfully.", render.rbl_source(created))


@sources.get
async def get_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    source = await _service(request).get_source(principal.account_sid, sid)
    return single("Data Sources", "sources", render.rbl_source(source))


@sources.update
async def update_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    fields = _source_fields(await read_fields(request), creating=False)
    await _service(request).update_source(principal.account_sid, sid, fields)
    return success("Custom RBL updated successfully.")


@sources.delete
async def delete_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_source(principal.account_sid, path_sid("rbl_source", id))
    return success("Custom RBL deleted successfully.")


@sources.action("pause")
async def pause_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    await _service(request).set_source_paused(principal.account_sid, sid, True)
    return success("Custom RBL paused successfully.")


@sources.action("resume")
async def resume_source(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_source", id)
    await _service(request).set_source_paused(principal.account_sid, sid, False)
    return success("Custom RBL activated successfully.")
