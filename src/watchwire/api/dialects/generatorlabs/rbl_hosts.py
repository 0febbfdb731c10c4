"""`/4.0/rbl/hosts…` and `/4.0/rbl/listings`: 003's monitored hosts over the RBL service,
rendered as 003's host object (render.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import PlainTextResponse

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
from watchwire.pagination import MAX_PER_PAGE, Page, PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.rbl.service import RblService

router = APIRouter(tags=["rbl hosts"])
hosts = Crud(router, "/rbl/hosts", suffix=".json")
Caller = Annotated[Principal, Depends(caller("rbl"))]


def _service(request: Request) -> RblService:
    return runtime_of(request).rbl


def _host_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    """The service's fields; an update cannot change the host itself."""
    host = fields.text("host", required=creating)
    chosen = Fields.present(
        {
            "name": fields.text("name", required=creating or fields.has("name"), max_length=255),
            "profile": fields.sid("profile", "rbl_profile"),
            "contact_groups": fields.sids("contact_group", "contact_group"),
            "tags": fields.items("tags"),
        }
    )
    if creating:
        chosen["host"] = host
    return chosen


@hosts.list
async def list_hosts(request: Request, principal: Caller) -> JsonResponse:
    fields = await read_fields(request)
    page = page_request(fields)
    ids = fields.sids("ids", "rbl_host")
    if ids is not None:
        # The Go SDK asks for several hosts at once.
        chosen = await _service(request).get_hosts(principal.account_sid, ids)
        listed = sum(1 for h in chosen if h.listed)
        everything = Page(chosen, len(chosen), PageRequest(page=1, per_page=MAX_PER_PAGE))
        items = [render.rbl_host(h) for h in chosen]
        return listing("Hosts", "hosts", items, everything, total_listed=listed)
    result, total_listed = await _service(request).list_hosts(principal.account_sid, page)
    items = [render.rbl_host(h) for h in result.items]
    return listing("Hosts", "hosts", items, result, total_listed=total_listed)


@router.get("/rbl/listings.json")
async def list_listings(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result, total_listed = await _service(request).list_hosts(
        principal.account_sid, page, listed_only=True
    )
    items = [render.rbl_host(h) for h in result.items]
    return listing("Listings", "listings", items, result, total_listed=total_listed)


# Undocumented but used by monitoring templates (GAPS.md): a bare number as text.
@router.get("/rbl/listings/count")
@router.get("/rbl/listings/count.json")
async def count_listings(request: Request, principal: Caller) -> PlainTextResponse:
    one = PageRequest(page=1, per_page=1)
    _, total_listed = await _service(request).list_hosts(
        principal.account_sid, one, listed_only=True
    )
    return PlainTextResponse(str(total_listed))


@hosts.create
async def create_hosts(request: Request, principal: Caller) -> JsonResponse:
    fields = _host_fields(await read_fields(request), creating=True)
    created = await _service(request).create_hosts(principal.account_sid, fields)
    return success("Host added successfully.", [render.rbl_host(h) for h in created])


@hosts.get
async def get_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    host = await _service(request).get_host(principal.account_sid, path_sid("rbl_host", id))
    return single("Hosts", "hosts", render.rbl_host(host), total_listed=int(host.listed))


@hosts.update
async def update_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    fields = _host_fields(await read_fields(request), creating=False)
    await _service(request).update_host(principal.account_sid, sid, fields)
    return success("Host updated successfully.")


@hosts.delete
async def delete_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_host(principal.account_sid, path_sid("rbl_host", id))
    return success("Host deleted successfully.")


@hosts.action("pause")
async def pause_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    await _service(request).set_host_paused(principal.account_sid, sid, True)
    return success("Host paused successfully.")


@hosts.action("resume")
async def resume_host(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("rbl_host", id)
    await _service(request).set_host_paused(principal.account_sid, sid, False)
    return success("Host activated successfully.")
