"""`POST /monitor/domains/batch` (at most 100 domains a request; 202 with a `request_id`, the
domains created in the background) and `GET /monitor/domains/batch/status/:request_id`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.entri import render
from watchwire.api.dialects.entri.auth import Caller
from watchwire.api.dialects.entri.reading import batch_body
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["batch"])


@router.post("/monitor/domains/batch", status_code=202)
async def create_batch(request: Request, principal: Caller) -> JsonResponse:
    body = batch_body(await read_fields(request))
    accepted = await runtime_of(request).domains.create_batch(principal.account_sid, body)
    return JsonResponse(render.batch_accepted(accepted), status_code=202)


@router.get("/monitor/domains/batch/status/{request_id}")
async def batch_status(request: Request, request_id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("batch", request_id, field="request_id")
    found = await runtime_of(request).domains.batch_status(principal.account_sid, sid)
    return JsonResponse(render.batch(found))
