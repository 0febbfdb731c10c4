"""`/v1/locations`: the probe locations checks run from, with their public addresses (for
firewall allow-lists). Any valid key reads them; the operator changes them with
`watchwire location` on the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render_locations
from watchwire.services.accounts import Principal

router = APIRouter(tags=["locations"])


@router.get(
    "/locations",
    summary="The probe locations",
    response_model=list[render_locations.LocationJson],
)
async def list_locations(
    request: Request, _principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    found = await runtime_of(request).locations.list()
    return ok(request, [render_locations.location(value) for value in found])


@router.get(
    "/locations/{code}",
    summary="One probe location",
    response_model=render_locations.LocationJson,
)
async def get_location(
    request: Request, code: str, _principal: Annotated[Principal, Depends(require())]
) -> JsonResponse:
    value = await runtime_of(request).locations.get(code)
    return ok(request, render_locations.location(value))
