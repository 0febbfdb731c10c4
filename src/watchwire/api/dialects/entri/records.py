"""`/monitor/domains/:domain_name/records`: the monitored records of one domain — list, add
(`dnsRecords`), replace them all (PUT) and stop monitoring some (DELETE, matched by type,
host and value). Every answer is the domain's records as they now are."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from watchwire.api.auth import runtime_of
from watchwire.api.dialects.entri import render
from watchwire.api.dialects.entri.auth import Caller
from watchwire.api.dialects.entri.reading import RECORDS, dns_records
from watchwire.api.dialects.entri.reading import domain_name as domain_name_of
from watchwire.api.dialects.kit.bodies import read_fields
from watchwire.api.dialects.kit.routes import Crud
from watchwire.api.envelope import JsonResponse

router = APIRouter(tags=["records"])
PATH = "/monitor/domains/{domain_name}/records"
# 002 names the records' collection only: PUT and DELETE act on it too.
records = Crud(router, PATH, item=PATH)


async def _records_in(request: Request) -> dict[str, object]:
    fields = await read_fields(request)
    return {"records": dns_records(fields.values.get(RECORDS))}


@records.list
async def list_records(request: Request, domain_name: str, principal: Caller) -> JsonResponse:
    name = domain_name_of(domain_name)
    found = await runtime_of(request).domains.records(principal.account_sid, name)
    return JsonResponse(render.records(name, found))


@records.create
async def add_records(request: Request, domain_name: str, principal: Caller) -> JsonResponse:
    name = domain_name_of(domain_name)
    body = await _records_in(request)
    now = await runtime_of(request).domains.add_records(principal.account_sid, name, body)
    return JsonResponse(render.records(name, now), status_code=201)


@records.update
async def replace_records(request: Request, domain_name: str, principal: Caller) -> JsonResponse:
    name = domain_name_of(domain_name)
    body = await _records_in(request)
    now = await runtime_of(request).domains.replace_records(principal.account_sid, name, body)
    return JsonResponse(render.records(name, now))


@records.delete
async def delete_records(request: Request, domain_name: str, principal: Caller) -> JsonResponse:
    name = domain_name_of(domain_name)
    body = await _records_in(request)
    now = await runtime_of(request).domains.delete_records(principal.account_sid, name, body)
    return JsonResponse(render.records(name, now))
