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
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.ids import path_sid
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.envelope import JsonResponse
from watchwire.services.accounts import Principal
from watchwire.services.certs.service import CertService

router = APIRouter(tags=["cert monitors"])
monitors = Crud(router, "/cert/monitors", suffix=".json")
Caller = Annotated[Principal, Depends(caller("cert"))]
PROTOCOLS = (
    "https smtps smtp imaps imap pops pop lmtp ftps ftp ldaps ldap mysql postgresql sips".split()
)


def _service(request: Request) -> CertService:
    return runtime_of(request).certs


def _monitor_fields(fields: Fields, *, creating: bool) -> dict[str, Any]:
    """The service's fields; an update changes only the name, profile, groups and tags."""
    hostname = fields.text("hostname", required=creating, max_length=255)
    protocol = fields.choice("protocol", tuple(PROTOCOLS), required=creating)
    chosen = Fields.present(
        {
            "name": fields.text("name", required=creating or fields.has("name"), max_length=255),
            "profile": fields.sid("profile", "cert_profile"),
            "contact_groups": fields.sids("contact_group", "contact_group"),
            "tags": fields.items("tags"),
        }
    )
    if creating:
        chosen.update(
            Fields.present(
                {
                    "hostname": hostname,
                    "protocol": protocol,
                    "port": fields.optional_integer("port", maximum=65535),
                }
            )
        )
    return chosen


@monitors.list
async def list_monitors(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_monitors(principal.account_sid, page)
    items = [render.cert_monitor(m) for m in result.items]
    return listing("Certificate Monitors", "monitors", items, result)


@monitors.create
async def create_monitor(request: Request, principal: Caller) -> JsonResponse:
    fields = _monitor_fields(await read_fields(request), creating=True)
    created = await _service(request).create_monitor(principal.account_sid, fields)
    return success("Certificate Monitor added successfully.", render.cert_monitor(created))


@monitors.get
async def get_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    monitor = await _service(request).get_monitor(principal.account_sid, sid)
    return single("Certificate Monitors", "monitors", render.cert_monitor(monitor))


@monitors.update
async def update_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    fields = _monitor_fields(await read_fields(request), creating=False)
    await _service(request).update_monitor(principal.account_sid, sid, fields)
    return success("Certificate Monitor updated successfully.")


@monitors.delete
async def delete_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    await _service(request).delete_monitor(principal.account_sid, path_sid("cert_monitor", id))
    return success("Certificate Monitor deleted successfully.")


@monitors.action("pause")
async def pause_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    await _service(request).set_paused(principal.account_sid, sid, True)
    return success("Certificate Monitor paused successfully.")


@monitors.action("resume")
async def resume_monitor(request: Request, id: str, principal: Caller) -> JsonResponse:
    sid = path_sid("cert_monitor", id)
    await _service(request).set_paused(principal.account_sid, sid, False)
    return success("Certificate Monitor activated successfully.")


@router.get("/cert/errors.json")
async def list_errors(request: Request, principal: Caller) -> JsonResponse:
    page = page_request(await read_fields(request))
    result = await _service(request).list_errors(principal.account_sid, page)
    items = [render.cert_error(e) for e in result.items]
    return listing("Certificate Errors", "errors", items, result, total_errors=result.total)


# Undocumented but used by monitoring templates (GAPS.md): a bare number as text.
@router.get("/cert/errors/count")
@router.get("/cert/errors/count.json")
async def count_errors(request: Request, principal: Caller) -> PlainTextResponse:
    return PlainTextResponse(str(await _service(request).count_errors(principal.account_sid)))
