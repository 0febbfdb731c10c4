"""`/v1/domains`: DNS-record monitoring of domains (Entri 002) with their expiry watch.
A domain is addressed by its SID or its name. Scope `domains`; read-only keys can read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import domain_bodies as bodies
from watchwire.api.native import render_domains as render
from watchwire.api.native.openapi import model_body
from watchwire.api.native.params import Limit, Offset
from watchwire.services.accounts import Principal
from watchwire.services.domains.fields import SettingsIn

router = APIRouter(tags=["domains"])
Caller = Annotated[Principal, Depends(require("domains"))]
RECORD = {"type": "CNAME", "host": "www", "value": "app.example.net", "ttl": 3600}
DomainBody = Annotated[
    dict[str, Any],
    Body(examples=[{"domain": "example.com", "user_id": "customer-42", "records": [RECORD]}]),
]
RecordsBody = Annotated[dict[str, Any], Body(examples=[{"records": [RECORD]}])]
BatchBody = Annotated[
    dict[str, Any],
    Body(examples=[{"domains": [{"domain": "example.com", "records": [RECORD]}]}]),
]


@router.get("/domains", summary="List monitored domains", response_model=list[render.DomainJson])
async def list_domains(
    request: Request,
    principal: Caller,
    offset: Offset = 0,
    limit: Limit = 25,
    from_date: Annotated[str | None, Query(description="Created on or after (date/time)")] = None,
    to_date: Annotated[str | None, Query(description="Created on or before (date/time)")] = None,
) -> JsonResponse:
    result = await runtime_of(request).domains.list_domains(
        principal.account_sid, offset=offset, limit=limit, from_date=from_date, to_date=to_date
    )
    pages = max(1, -(-result.total // limit))
    pagination = {
        "total": result.total,
        "offset": offset,
        "limit": limit,
        "page": offset // limit + 1,
        "per_page": limit,
        "pages": pages,
    }
    return ok(request, [render.domain(d) for d in result.domains], pagination=pagination)


@router.post(
    "/domains",
    status_code=201,
    summary="Monitor a domain's DNS records",
    openapi_extra=bodies.CREATE,
    response_model=render.DomainJson,
)
async def create_domain(request: Request, body: DomainBody, principal: Caller) -> JsonResponse:
    domain = await runtime_of(request).domains.create(principal.account_sid, body)
    return ok(request, render.domain(domain), status=201)


@router.get(
    "/domains/settings",
    summary="Check interval and expiry thresholds",
    response_model=render.SettingsJson,
)
async def get_settings(request: Request, principal: Caller) -> JsonResponse:
    settings = await runtime_of(request).domains.get_settings(principal.account_sid)
    return ok(request, render.settings(settings))


@router.put(
    "/domains/settings",
    summary="Change the check interval or expiry thresholds",
    openapi_extra=model_body(SettingsIn),
    response_model=render.SettingsJson,
)
async def put_settings(
    request: Request, body: Annotated[dict[str, Any], Body()], principal: Caller
) -> JsonResponse:
    settings = await runtime_of(request).domains.update_settings(
        principal.account_sid, body, min_interval=principal.plan.min_interval_seconds
    )
    return ok(request, render.settings(settings))


@router.post(
    "/domains/batch",
    status_code=202,
    summary="Monitor up to 100 domains at once",
    openapi_extra=bodies.BATCH,
    response_model=render.BatchAcceptedJson,
)
async def create_batch(request: Request, body: BatchBody, principal: Caller) -> JsonResponse:
    batch = await runtime_of(request).domains.create_batch(principal.account_sid, body)
    return ok(request, render.batch_accepted(batch), status=202)


@router.get(
    "/domains/batch/{sid}",
    summary="Progress and per-domain outcome of a batch",
    response_model=render.BatchJson,
)
async def batch_status(request: Request, sid: str, principal: Caller) -> JsonResponse:
    batch = await runtime_of(request).domains.batch_status(principal.account_sid, sid)
    return ok(request, render.batch(batch))


@router.get(
    "/domains/{sid}",
    summary="One domain with its records, state and expiry",
    response_model=render.DomainJson,
)
async def get_domain(request: Request, sid: str, principal: Caller) -> JsonResponse:
    domain = await runtime_of(request).domains.get(principal.account_sid, sid)
    return ok(request, render.domain(domain))


@router.put(
    "/domains/{sid}",
    summary="Change user_id, paused, contact_groups or records",
    openapi_extra=bodies.CHANGE,
    response_model=render.DomainJson,
)
async def update_domain(
    request: Request, sid: str, body: DomainBody, principal: Caller
) -> JsonResponse:
    domain = await runtime_of(request).domains.update(principal.account_sid, sid, body)
    return ok(request, render.domain(domain))


@router.delete(
    "/domains/{sid}", summary="Stop monitoring a domain", response_model=render.DomainJson
)
async def delete_domain(request: Request, sid: str, principal: Caller) -> JsonResponse:
    domain = await runtime_of(request).domains.delete(principal.account_sid, sid)
    return ok(request, render.domain(domain))


@router.get(
    "/domains/{sid}/records",
    summary="The monitored records of a domain",
    response_model=list[render.DnsRecordJson],
)
async def get_records(request: Request, sid: str, principal: Caller) -> JsonResponse:
    records = await runtime_of(request).domains.records(principal.account_sid, sid)
    return ok(request, [render.dns_record(r) for r in records])


@router.post(
    "/domains/{sid}/records",
    status_code=201,
    summary="Monitor more records",
    openapi_extra=bodies.RECORDS,
    response_model=list[render.DnsRecordJson],
)
async def add_records(
    request: Request, sid: str, body: RecordsBody, principal: Caller
) -> JsonResponse:
    records = await runtime_of(request).domains.add_records(principal.account_sid, sid, body)
    return ok(request, [render.dns_record(r) for r in records], status=201)


@router.put(
    "/domains/{sid}/records",
    summary="Replace the monitored records",
    openapi_extra=bodies.RECORDS,
    response_model=list[render.DnsRecordJson],
)
async def replace_records(
    request: Request, sid: str, body: RecordsBody, principal: Caller
) -> JsonResponse:
    records = await runtime_of(request).domains.replace_records(principal.account_sid, sid, body)
    return ok(request, [render.dns_record(r) for r in records])


@router.delete(
    "/domains/{sid}/records",
    summary="Stop monitoring some records",
    openapi_extra=bodies.RECORDS,
    response_model=list[render.DnsRecordJson],
)
async def delete_records(
    request: Request, sid: str, body: RecordsBody, principal: Caller
) -> JsonResponse:
    records = await runtime_of(request).domains.delete_records(principal.account_sid, sid, body)
    return ok(request, [render.dns_record(r) for r in records])


@router.post(
    "/domains/{sid}/check",
    summary="Check the domain now and return its state",
    response_model=render.DomainJson,
)
async def check_domain(request: Request, sid: str, principal: Caller) -> JsonResponse:
    domain = await runtime_of(request).domains.check_now(principal.account_sid, sid)
    return ok(request, render.domain(domain))
