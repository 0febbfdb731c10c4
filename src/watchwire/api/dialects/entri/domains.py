"""`/monitor/domains`: list (`offset`, `limit`, `from_date`, `to_date`), read one by name,
add (`domain` + `dnsRecords`), and update or delete naming the domain in the body (002)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.entri import render
from watchwire.api.dialects.entri.auth import Caller
from watchwire.api.dialects.entri.reading import RECORDS, dns_records, domain_body
from watchwire.api.dialects.entri.reading import domain_name as domain_name_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.paging import offset_window
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["domains"])
COLLECTION = "/monitor/domains"
_DATE = 64


@router.get(COLLECTION)
async def list_domains(request: Request, principal: Caller) -> JsonResponse:
    fields = await read_fields(request)
    window = offset_window(fields)
    result = await runtime_of(request).domains.list_domains(
        principal.account_sid,
        offset=window.offset,
        limit=window.limit,
        from_date=fields.text("from_date", max_length=_DATE),
        to_date=fields.text("to_date", max_length=_DATE),
    )
    return JsonResponse(render.domain_list(result))


@router.post(COLLECTION, status_code=201)
async def create_domain(request: Request, principal: Caller) -> JsonResponse:
    body = domain_body(await read_fields(request))
    created = await runtime_of(request).domains.create(principal.account_sid, body)
    return JsonResponse(render.domain(created), status_code=201)


@router.put(COLLECTION)
async def update_domain(request: Request, principal: Caller) -> JsonResponse:
    """Change `user_id` or replace `dnsRecords` of the domain the body names."""
    fields = await read_fields(request)
    name = fields.text("domain", required=True, max_length=253) or ""
    changes: dict[str, object] = {}
    if fields.has(RECORDS):
        changes["records"] = dns_records(fields.values[RECORDS])
    if fields.has("user_id"):
        changes["user_id"] = fields.text("user_id", max_length=255)
    updated = await runtime_of(request).domains.update(principal.account_sid, name, changes)
    return JsonResponse(render.domain(updated))


@router.delete(COLLECTION)
async def delete_domain(request: Request, principal: Caller) -> JsonResponse:
    fields = await read_fields(request)
    name = fields.text("domain", required=True, max_length=253) or ""
    gone = await runtime_of(request).domains.delete(principal.account_sid, name)
    return JsonResponse({"domain": gone.domain, "deleted": True})


@router.get(COLLECTION + "/{domain_name}")
async def get_domain(request: Request, domain_name: str, principal: Caller) -> JsonResponse:
    found = await runtime_of(request).domains.get(
        principal.account_sid, domain_name_of(domain_name)
    )
    return JsonResponse(render.domain(found))
