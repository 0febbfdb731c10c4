"""`/4.0/rbl/hosts…` and `/4.0/rbl/listings`: 003's monitored hosts over the RBL service
(which already renders 003's host object)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.generatorlabs.auth import caller
from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.generatorlabs.pagination import listing, page_request, single
from watchwire.api.dialects.generatorlabs.parsing import Fields, path_sid, read_fields
from watchwire.api.envelope import JsonResponse
from watchwire.pagination import MAX_PER_PAGE, Page, PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.rbl.service import RblService

router = APIRouter(tags=["rbl hosts"])
Caller = Annotated[Principal, Depends(caller("rbl"))]
ITEM = "/rbl/hosts/{id}"
_RENAMES = {"contact_group": "contact_groups"}


def _service(request: Request) -> RblService:
    return runtime_of(request).rbl


def _host_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    fields.text("host", required=creating)
    fields.text("name", required=creating, max_length=255)
    if fields.has("profile"):
        fields.sids("profile", "rbl_profile")
    fields.sids("contact_group", "contact_group")
    names = ("host", "name", "profile", "contact_group", "tags")
    return fields.subset(names if creating else names[1:], _RENAMES)


@router.get("/rbl/hosts.json")
async def list_hosts(request: Request, principal: Caller) -> JsonResponse:
    fields = await read_fields(request)
    page = page_request(fields)
    ids = fields.sids("ids", "rbl_host")
    if ids is not None:
        # The Go SDK asks for several hosts at once.
        chosen = await _service(request).get_hosts(principal.account_sid, ids)
        listed = sum(1 for h in chosen if h["listed"])
        everything = Page(chosen, len(chosen), PageRequest(page=1, per_page=MAX_PER_PAGE))
        return listing("Hosts", "hosts", chosen, everything, total_listed=listed)
    result, total_listed = await _service(request).list_hosts(principal.account_sid, page)
    return listing("Hosts", "hosts", result.items, result, total_listed=total_listed)


@router.get("/rbl/listings.json")
async def list_listings(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result, total_listed = await _service(request).list_hosts(
        principal.account_sid, page, listed_only=True
    )
    return listing("Listings", "listings", result.items, result, total_listed=total_listed)


# Undocumented but used by monitoring templates (GAPS.md): a bare number as text.
@router.get("/rbl/listings/count")
@router.get("/rbl/listings/count.json")
async def count_listings(request: Request, principal: Caller) -> PlainTextResponse:
    one = PageRequest(page=1, per_page=1)
    _, total_listed = await _service(request).list_hosts(
        principal.account_sid, one, listed_only=True
    )
    return PlainTextResponse(str(total_listed))


@router.post("/rbl/hosts.json")
async def create_hosts(request: Request, principal: Caller) -> JsonResponse:
    fields = _host_fields(await read_fields(request), creating=True)
    created = await _service(request).create_hosts(principal.account_sid, fields)
    return success("Host added successfully.", created)


@router.get(ITEM + ".json")
async def get_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    host = await _service(request).get_host(principal.account_sid, path_sid("rbl_host", id))
    return single("Hosts", "hosts", host, total_listed=int(host["listed"]))


@router.put(ITEM + ".json")
async def update_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    fields = _host_fields(await read_fields(request), creating=False)
    await _service(request).update_host(principal.account_sid, sid, fields)
    return success("Host updated successfully.")


@router.delete(ITEM + ".json")
async def delete_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_host(principal.account_sid, path_sid("rbl_host", id))
    return success("Host deleted successfully.")


@router.post(ITEM + "/pause.json")
async def pause_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    await _service(request).set_host_paused(principal.account_sid, sid, True)
    return success("Host paused successfully.")


@router.post(ITEM + "/resume.json")
async def resume_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    await _service(request).set_host_paused(principal.account_sid, sid, False)
    return success("Host activated successfully.")
