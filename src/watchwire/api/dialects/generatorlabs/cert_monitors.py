"""`/4.0/cert/monitors…` and `/4.0/cert/errors`: 003's certificate monitors and their active
errors over the certificate service."""

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
from watchwire.api.dialects.generatorlabs.parsing import Fields, path_sid, read_fields
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal
from watchwire.services.certs.service import CertService

router = APIRouter(tags=["cert monitors"])
Caller = Annotated[Principal, Depends(caller("cert"))]
ITEM = "/cert/monitors/{id}"
PROTOCOLS = (
    "https smtps smtp imaps imap pops pop lmtp ftps ftp ldaps ldap mysql postgresql sips".split()
)


def _service(request: Request) -> CertService:
    return runtime_of(request).certs


def _monitor_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    fields.text("hostname", required=creating, max_length=255)
    fields.choice("protocol", tuple(PROTOCOLS), required=creating)
    fields.text("name", required=creating, max_length=255)
    if fields.has("profile"):
        fields.sids("profile", "cert_profile")
    chosen = fields.subset(
        ("hostname", "protocol", "name", "profile") if creating else ("name", "profile")
    )
    groups = fields.sids("contact_group", "contact_group")
    if groups is not None:
        chosen["contact_groups"] = groups
    tags = fields.items("tags")
    if tags is not None:
        chosen["tags"] = tags
    if creating and fields.has("port"):
        chosen["port"] = fields.integer("port", 0)
    return chosen


@router.get("/cert/monitors.json")
async def list_monitors(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_monitors(principal.account_sid, page)
    items = [render.cert_monitor(m) for m in result.items]
    return listing("Certificate Monitors", "monitors", items, result)


@router.post("/cert/monitors.json")
async def create_monitor(request: Request, principal: Caller) -> JsonResponse:
    fields = _monitor_fields(await read_fields(request), creating=True)
    created = await _service(request).create_monitor(principal.account_sid, fields)
    return success("Certificate Monitor added successfully.", render.cert_monitor(created))


@router.get(ITEM + ".json")
async def get_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    monitor = await _service(request).get_monitor(principal.account_sid, sid)
    return single("Certificate Monitors", "monitors", render.cert_monitor(monitor))


@router.put(ITEM + ".json")
async def update_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    fields = _monitor_fields(await read_fields(request), creating=False)
    await _service(request).update_monitor(principal.account_sid, sid, fields)
    return success("Certificate Monitor updated successfully.")


@router.delete(ITEM + ".json")
async def delete_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_monitor(principal.account_sid, path_sid("cert_monitor", id))
    return success("Certificate Monitor deleted successfully.")


@router.post(ITEM + "/pause.json")
async def pause_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    await _service(request).set_paused(principal.account_sid, sid, True)
    return success("Certificate Monitor paused successfully.")


@router.post(ITEM + "/resume.json")
async def resume_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    await _service(request).set_paused(principal.account_sid, sid, False)
    return success("Certificate Monitor activated successfully.")


@router.get("/cert/errors.json")
async def list_errors(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_errors(principal.account_sid, page)
    return listing("Certificate Errors", "errors", result.items, result, total_errors=result.total)


# Undocumented but used by monitoring templates (GAPS.md): a bare number as text.
@router.get("/cert/errors/count")
@router.get("/cert/errors/count.json")
async def count_errors(request: Request, principal: Caller) -> PlainTextResponse:
    return PlainTextResponse(str(await _service(request).count_errors(principal.account_sid)))
