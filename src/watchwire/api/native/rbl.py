"""`/v1/rbl/…`: blocklist monitoring (003's hosts, monitoring profiles, sources, listings and
manual checks). Scope `rbl`; read-only keys can read. Rules live in services/rbl/."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, meta, ok
from watchwire.api.native import rbl_bodies as bodies
from watchwire.api.native import render_rbl as render
from watchwire.api.native.params import page_request
from watchwire.errors import ValidationError
from watchwire.pagination import Page, PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.rbl.fields import split_list
from watchwire.services.rbl.records import RblHost

router = APIRouter(prefix="/rbl", tags=["rbl"])
Caller = Annotated[Principal, Depends(require("rbl"))]
Paging = Annotated[PageRequest, Depends(page_request)]
Fields = Annotated[dict[str, Any], Body()]
Details = Annotated[bool, Query(description="Include every list's answer")]


def _hosts_page(
    request: Request, page: Page[RblHost], total_listed: int, status: int = 200
) -> JsonResponse:
    body_meta = meta(request)
    body_meta["pagination"] = page.meta()
    body_meta["total_listed"] = total_listed
    items = [render.rbl_host(h) for h in page.items]
    return JsonResponse({"data": items, "meta": body_meta}, status_code=status)


# -- hosts ------------------------------------------------------------------------------------


@router.post(
    "/hosts",
    status_code=201,
    summary="Add a host (a subnet or range adds several)",
    openapi_extra=bodies.HOST_CREATE,
    response_model=list[render.RblHostJson],
)
async def create_hosts(
    request: Request,
    principal: Caller,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"host": "203.0.113.0/30", "name": "mail", "tags": ["prod"]}]),
    ],
) -> JsonResponse:
    hosts = await runtime_of(request).rbl.create_hosts(principal.account_sid, body)
    return ok(request, [render.rbl_host(h) for h in hosts], status=201)


@router.get(
    "/hosts",
    summary="List hosts (with how many are listed)",
    response_model=list[render.RblHostJson],
)
async def list_hosts(
    request: Request,
    principal: Caller,
    page: Paging,
    ids: Annotated[str | None, Query(description="Only these HT… SIDs, comma-separated")] = None,
) -> JsonResponse:
    service = runtime_of(request).rbl
    if ids is not None:
        chosen = await service.get_hosts(principal.account_sid, split_list(ids, "ids") or [])
        return ok(request, [render.rbl_host(h) for h in chosen])
    result, total_listed = await service.list_hosts(principal.account_sid, page)
    return _hosts_page(request, result, total_listed)


@router.get("/hosts/{sid}", summary="One host with its listings", response_model=render.RblHostJson)
async def get_host(request: Request, sid: str, principal: Caller) -> JsonResponse:
    host = await runtime_of(request).rbl.get_host(principal.account_sid, sid)
    return ok(request, render.rbl_host(host))


@router.patch(
    "/hosts/{sid}",
    summary="Change a host's name, profile, contact groups or tags",
    openapi_extra=bodies.HOST_CHANGE,
    response_model=render.RblHostJson,
)
@router.put(
    "/hosts/{sid}",
    summary="Change a host (as PATCH: fields not given stay)",
    openapi_extra=bodies.HOST_CHANGE,
    response_model=render.RblHostJson,
)
async def update_host(request: Request, sid: str, body: Fields, principal: Caller) -> JsonResponse:
    host = await runtime_of(request).rbl.update_host(principal.account_sid, sid, body)
    return ok(request, render.rbl_host(host))


@router.delete("/hosts/{sid}", summary="Stop monitoring a host", response_model=render.RblHostJson)
async def delete_host(request: Request, sid: str, principal: Caller) -> JsonResponse:
    host = await runtime_of(request).rbl.delete_host(principal.account_sid, sid)
    return ok(request, render.rbl_host(host))


@router.post(
    "/hosts/{sid}/pause", summary="Stop checking a host", response_model=render.RblHostJson
)
async def pause_host(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).rbl
    return ok(
        request, render.rbl_host(await service.set_host_paused(principal.account_sid, sid, True))
    )


@router.post(
    "/hosts/{sid}/resume",
    summary="Check a paused host again, starting now",
    response_model=render.RblHostJson,
)
async def resume_host(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).rbl
    host = await service.set_host_paused(principal.account_sid, sid, False)
    return ok(request, render.rbl_host(host))


@router.post(
    "/hosts/{sid}/check",
    summary="Check a host now and return its fresh state",
    response_model=render.RblHostJson,
)
async def check_host(request: Request, sid: str, principal: Caller) -> JsonResponse:
    host = await runtime_of(request).rbl.check_host_now(principal.account_sid, sid)
    return ok(request, render.rbl_host(host))


# -- listings ---------------------------------------------------------------------------------


@router.get("/listings", summary="Hosts listed now", response_model=list[render.RblHostJson])
async def listings(request: Request, principal: Caller, page: Paging) -> JsonResponse:
    service = runtime_of(request).rbl
    result, total_listed = await service.list_hosts(principal.account_sid, page, listed_only=True)
    return _hosts_page(request, result, total_listed)


# -- profiles ---------------------------------------------------------------------------------


@router.post(
    "/profiles",
    status_code=201,
    summary="Create a monitoring profile",
    openapi_extra=bodies.PROFILE_CREATE,
    response_model=render.RblProfileJson,
)
async def create_profile(
    request: Request,
    principal: Caller,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"name": "Mail servers", "frequency": "6_hours", "entries": []}]),
    ],
) -> JsonResponse:
    profile = await runtime_of(request).rbl.create_profile(principal.account_sid, body)
    return ok(request, render.rbl_profile(profile), status=201)


@router.get(
    "/profiles", summary="List monitoring profiles", response_model=list[render.RblProfileJson]
)
async def list_profiles(request: Request, principal: Caller, page: Paging) -> JsonResponse:
    result = await runtime_of(request).rbl.list_profiles(principal.account_sid, page)
    return ok(request, [render.rbl_profile(p) for p in result.items], pagination=result.meta())


@router.get(
    "/profiles/{sid}", summary="One monitoring profile", response_model=render.RblProfileJson
)
async def get_profile(request: Request, sid: str, principal: Caller) -> JsonResponse:
    profile = await runtime_of(request).rbl.get_profile(principal.account_sid, sid)
    return ok(request, render.rbl_profile(profile))


@router.patch(
    "/profiles/{sid}",
    summary="Change a monitoring profile",
    openapi_extra=bodies.PROFILE_CHANGE,
    response_model=render.RblProfileJson,
)
@router.put(
    "/profiles/{sid}",
    summary="Change a profile (as PATCH: fields not given stay)",
    openapi_extra=bodies.PROFILE_CHANGE,
    response_model=render.RblProfileJson,
)
async def update_profile(
    request: Request, sid: str, body: Fields, principal: Caller
) -> JsonResponse:
    profile = await runtime_of(request).rbl.update_profile(principal.account_sid, sid, body)
    return ok(request, render.rbl_profile(profile))


@router.delete(
    "/profiles/{sid}",
    summary="Delete an unused monitoring profile",
    response_model=render.RblProfileJson,
)
async def delete_profile(request: Request, sid: str, principal: Caller) -> JsonResponse:
    profile = await runtime_of(request).rbl.delete_profile(principal.account_sid, sid)
    return ok(request, render.rbl_profile(profile))


# -- sources ----------------------------------------------------------------------------------


@router.get(
    "/sources",
    summary="The catalogue of lists and your custom sources",
    response_model=list[render.RblSourceJson],
)
async def list_sources(request: Request, principal: Caller, page: Paging) -> JsonResponse:
    result = await runtime_of(request).rbl.list_sources(principal.account_sid, page)
    return ok(request, [render.rbl_source(s) for s in result.items], pagination=result.meta())


@router.post(
    "/sources",
    status_code=201,
    summary="Add a custom source",
    openapi_extra=bodies.SOURCE_CREATE,
    response_model=render.RblSourceJson,
)
async def create_source(
    request: Request,
    principal: Caller,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"host": "bl.example.net", "type": "rbl", "custom_codes": ["127.0.0.2"]}]),
    ],
) -> JsonResponse:
    source = await runtime_of(request).rbl.create_source(principal.account_sid, body)
    return ok(request, render.rbl_source(source), status=201)


@router.get("/sources/{sid}", summary="One source", response_model=render.RblSourceJson)
async def get_source(request: Request, sid: str, principal: Caller) -> JsonResponse:
    source = await runtime_of(request).rbl.get_source(principal.account_sid, sid)
    return ok(request, render.rbl_source(source))


@router.patch(
    "/sources/{sid}",
    summary="Change a custom source",
    openapi_extra=bodies.SOURCE_CHANGE,
    response_model=render.RblSourceJson,
)
@router.put(
    "/sources/{sid}",
    summary="Change a source (as PATCH: fields not given stay)",
    openapi_extra=bodies.SOURCE_CHANGE,
    response_model=render.RblSourceJson,
)
async def update_source(
    request: Request, sid: str, body: Fields, principal: Caller
) -> JsonResponse:
    source = await runtime_of(request).rbl.update_source(principal.account_sid, sid, body)
    return ok(request, render.rbl_source(source))


@router.delete(
    "/sources/{sid}", summary="Delete a custom source", response_model=render.RblSourceJson
)
async def delete_source(request: Request, sid: str, principal: Caller) -> JsonResponse:
    source = await runtime_of(request).rbl.delete_source(principal.account_sid, sid)
    return ok(request, render.rbl_source(source))


@router.post(
    "/sources/{sid}/pause",
    summary="Leave a source out of every check",
    response_model=render.RblSourceJson,
)
async def pause_source(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).rbl
    return ok(
        request,
        render.rbl_source(await service.set_source_paused(principal.account_sid, sid, True)),
    )


@router.post(
    "/sources/{sid}/resume",
    summary="Check a paused source again",
    response_model=render.RblSourceJson,
)
async def resume_source(request: Request, sid: str, principal: Caller) -> JsonResponse:
    service = runtime_of(request).rbl
    source = await service.set_source_paused(principal.account_sid, sid, False)
    return ok(request, render.rbl_source(source))


# -- manual checks ----------------------------------------------------------------------------


@router.post(
    "/checks",
    status_code=202,
    summary="Start a manual check (returns its id at once)",
    openapi_extra=bodies.CHECK_START,
    response_model=render.RblCheckStartedJson,
)
async def start_check(
    request: Request,
    principal: Caller,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"host": "203.0.113.7", "callback": "https://example.com/cb"}]),
    ],
) -> JsonResponse:
    fields = dict(body)
    host = fields.pop("host", None)
    callback = fields.pop("callback", None)
    details = fields.pop("details", False) in (True, 1, "true", "1")
    if fields:
        name = next(iter(fields))
        raise ValidationError.field(name, "unknown", f"unknown field {name!r}")
    check = await runtime_of(request).rbl.start_check(
        principal.account_sid, host=host, callback=callback, details=details
    )
    return ok(request, render.rbl_check_started(check), status=202)


@router.get(
    "/checks/{sid}",
    summary="A manual check's status (and answers with details=true)",
    response_model=render.RblCheckJson,
)
async def get_check(
    request: Request, sid: str, principal: Caller, details: Details = False
) -> JsonResponse:
    service = runtime_of(request).rbl
    check = await service.get_check(principal.account_sid, sid, details=details)
    return ok(request, render.rbl_check(check))
