"""`/4.0/rbl/check/…`: 003's asynchronous manual checks over the RBL service — start answers
the `PP…` id at once; status is polled; the callback is delivered by the service's job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.generatorlabs import render
from watchwire.api.dialects.generatorlabs.auth import Kind, caller
from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal

router = APIRouter(tags=["rbl checks"])


@router.post("/rbl/check/start.json")
async def start_check(
    request: Request, principal: Annotated[Principal, Depends(caller("rbl", Kind.CHECK))]
) -> JsonResponse:
    fields = await read_fields(request)
    check = await runtime_of(request).rbl.start_check(
        principal.account_sid,
        host=fields.text("host", required=True, max_length=253),
        callback=fields.text("callback", max_length=2048),
        details=bool(fields.boolean("details")),
    )
    return success("Check started successfully.", render.rbl_check_started(check))


@router.get("/rbl/check/status/{id}.json")
async def check_status(
    request: Request, id: str, principal: Annotated[Principal, Depends(caller("rbl"))]
) -> JsonResponse:
    sid = path_sid("rbl_check", id)
    details = bool((await read_fields(request)).boolean("details"))
    status = await runtime_of(request).rbl.get_check(principal.account_sid, sid, details=details)
    return success("Check status retrieved successfully.", render.rbl_check(status))
