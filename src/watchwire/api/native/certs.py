"""`/v1/cert-monitors`, `/v1/cert-profiles`, `/v1/cert-errors`: certificate monitoring (003's
"Cert Monitors", "Cert Profiles", "Errors"). Scope `cert`; read-only keys can read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from watchwire.api.auth import require, runtime_of
from watchwire.api.envelope import JsonResponse, ok
from watchwire.api.native import render_certs as render
from watchwire.api.native.openapi import model_body
from watchwire.api.native.params import page_request
from watchwire.pagination import PageRequest
from watchwire.services.accounts import Principal
from watchwire.services.certs.spec import MonitorFields as CertMonitorFields
from watchwire.services.certs.spec import ProfileFields

router = APIRouter(tags=["certificates"])
Caller = Annotated[Principal, Depends(require("cert"))]
Paging = Annotated[PageRequest, Depends(page_request)]
MonitorBody = Annotated[
    dict[str, Any],
    Body(
        examples=[
            {
                "hostname": "example.com",
                "protocol": "https",
                "name": "My SSL Certificate",
                "tags": ["production"],
            }
        ]
    ),
]
ProfileBody = Annotated[
    dict[str, Any],
    Body(
        examples=[
            {
                "name": "My Certificate Profile",
                "expiration_thresholds": [30, 14, 7],
                "alert_on_changes": True,
            }
        ]
    ),
]


# -- monitors ---------------------------------------------------------------------------------


@router.post(
    "/cert-monitors",
    status_code=201,
    summary="Create a certificate monitor",
    openapi_extra=model_body(CertMonitorFields),
    response_model=render.CertMonitorJson,
)
async def create_monitor(request: Request, body: MonitorBody, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).certs.create_monitor(principal.account_sid, body)
    return ok(request, render.cert_monitor(monitor), status=201)


@router.get(
    "/cert-monitors",
    summary="List certificate monitors",
    response_model=list[render.CertMonitorJson],
)
async def list_monitors(
    request: Request,
    principal: Caller,
    page: Paging,
    tag: Annotated[str | None, Query(description="Only monitors with this tag")] = None,
) -> JsonResponse:
    result = await runtime_of(request).certs.list_monitors(principal.account_sid, page, tag=tag)
    return ok(request, [render.cert_monitor(m) for m in result.items], pagination=result.meta())


@router.get(
    "/cert-monitors/{sid}",
    summary="One certificate monitor with its state",
    response_model=render.CertMonitorJson,
)
async def get_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).certs.get_monitor(principal.account_sid, sid)
    return ok(request, render.cert_monitor(monitor))


@router.patch(
    "/cert-monitors/{sid}",
    summary="Change a certificate monitor",
    openapi_extra=model_body(CertMonitorFields, change=True),
    response_model=render.CertMonitorJson,
)
async def update_monitor(
    request: Request, sid: str, body: MonitorBody, principal: Caller
) -> JsonResponse:
    certs = runtime_of(request).certs
    return ok(
        request, render.cert_monitor(await certs.update_monitor(principal.account_sid, sid, body))
    )


@router.delete(
    "/cert-monitors/{sid}",
    summary="Delete a certificate monitor",
    response_model=render.CertMonitorJson,
)
async def delete_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).certs.delete_monitor(principal.account_sid, sid)
    return ok(request, render.cert_monitor(monitor))


@router.post(
    "/cert-monitors/{sid}/pause",
    summary="Stop checking a certificate monitor",
    response_model=render.CertMonitorJson,
)
async def pause_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    certs = runtime_of(request).certs
    return ok(
        request, render.cert_monitor(await certs.set_paused(principal.account_sid, sid, True))
    )


@router.post(
    "/cert-monitors/{sid}/resume",
    summary="Check a paused monitor again, from now",
    response_model=render.CertMonitorJson,
)
async def resume_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    certs = runtime_of(request).certs
    monitor = await certs.set_paused(principal.account_sid, sid, False)
    return ok(request, render.cert_monitor(monitor))


@router.post(
    "/cert-monitors/{sid}/check",
    summary="Check now and return the fresh state",
    response_model=render.CertMonitorJson,
)
async def check_monitor(request: Request, sid: str, principal: Caller) -> JsonResponse:
    monitor = await runtime_of(request).certs.check_now(principal.account_sid, sid)
    return ok(request, render.cert_monitor(monitor))


# -- profiles ---------------------------------------------------------------------------------


@router.post(
    "/cert-profiles",
    status_code=201,
    summary="Create a certificate profile",
    openapi_extra=model_body(ProfileFields),
    response_model=render.CertProfileJson,
)
async def create_profile(request: Request, body: ProfileBody, principal: Caller) -> JsonResponse:
    profile = await runtime_of(request).certs.create_profile(principal.account_sid, body)
    return ok(request, render.cert_profile(profile), status=201)


@router.get(
    "/cert-profiles",
    summary="List certificate profiles",
    response_model=list[render.CertProfileJson],
)
async def list_profiles(request: Request, principal: Caller, page: Paging) -> JsonResponse:
    result = await runtime_of(request).certs.list_profiles(principal.account_sid, page)
    return ok(request, [render.cert_profile(p) for p in result.items], pagination=result.meta())


@router.get(
    "/cert-profiles/{sid}", summary="One certificate profile", response_model=render.CertProfileJson
)
async def get_profile(request: Request, sid: str, principal: Caller) -> JsonResponse:
    profile = await runtime_of(request).certs.get_profile(principal.account_sid, sid)
    return ok(request, render.cert_profile(profile))


@router.patch(
    "/cert-profiles/{sid}",
    summary="Change a certificate profile",
    openapi_extra=model_body(ProfileFields, change=True),
    response_model=render.CertProfileJson,
)
async def update_profile(
    request: Request, sid: str, body: ProfileBody, principal: Caller
) -> JsonResponse:
    certs = runtime_of(request).certs
    profile = await certs.update_profile(principal.account_sid, sid, body)
    return ok(request, render.cert_profile(profile))


@router.delete(
    "/cert-profiles/{sid}",
    summary="Delete a certificate profile no monitor uses",
    response_model=render.CertProfileJson,
)
async def delete_profile(request: Request, sid: str, principal: Caller) -> JsonResponse:
    certs = runtime_of(request).certs
    return ok(request, render.cert_profile(await certs.delete_profile(principal.account_sid, sid)))


# -- errors -----------------------------------------------------------------------------------


@router.get(
    "/cert-errors",
    summary="Active certificate errors across all monitors",
    response_model=list[render.CertErrorJson],
)
async def list_errors(
    request: Request,
    principal: Caller,
    page: Paging,
    monitor: Annotated[str | None, Query(description="Only this monitor's (CM…)")] = None,
) -> JsonResponse:
    certs = runtime_of(request).certs
    result = await certs.list_errors(principal.account_sid, page, monitor=monitor)
    return ok(request, [render.cert_error(e) for e in result.items], pagination=result.meta())
