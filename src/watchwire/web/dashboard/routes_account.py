"""The account's activity and access: the event log (filter by type), the delivery log
(filter by status) with redelivery, API keys (create with scopes, read-only and an IP
allowlist; revoke) and the account's users (owners add them and set their roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ConflictError, ValidationError
from watchwire.events.catalog import CATALOG
from watchwire.pagination import PageRequest
from watchwire.services.accounts import SCOPES
from watchwire.services.deliveries import STATUSES, DeliveryFilter
from watchwire.services.users import ROLES
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

PER_PAGE = 50
Text = Annotated[str | None, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


@router.get("/events")
async def events_page(request: Request, type: Text = None, page: PageNumber = 1) -> Response:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    found = await runtime.events.list(
        current.account.sid, PageRequest(page, PER_PAGE), types=[type] if type else None
    )
    return render(
        "events.html",
        visit=current,
        section="/events",
        events=found,
        chosen=type or "",
        types=sorted(CATALOG),
    )


@router.get("/deliveries")
async def deliveries_page(
    request: Request, status: Text = None, page: PageNumber = 1, redelivered: Text = None
) -> Response:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    found = await runtime.deliveries.list_page(
        current.account.sid, DeliveryFilter(status=status or None), PageRequest(page, PER_PAGE)
    )
    return render(
        "deliveries.html",
        visit=current,
        section="/deliveries",
        deliveries=found,
        chosen=status or "",
        statuses=STATUSES,
        redelivered=redelivered,
    )


@router.get("/deliveries/{sid}")
async def delivery_page(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    detail = await session.runtime_of(request).deliveries.get(current.account.sid, sid)
    return render("delivery.html", visit=current, section="/deliveries", detail=detail)


@router.post("/deliveries/{sid}/redeliver")
async def redeliver(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    made = await session.runtime_of(request).deliveries.redeliver(current.account.sid, sid)
    return RedirectResponse(f"/deliveries?redelivered={made.delivery.sid}", status_code=303)


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _keys(request, current)


@router.post("/keys")
async def create_key(request: Request) -> Response:
    current, form = await session.posted(request, "manage")
    allowlist = [part.strip() for part in str(form.get("ip_allowlist") or "").split(",")]
    try:
        created, _ = await session.runtime_of(request).accounts.create_key(
            current.account.sid,
            name=str(form.get("name") or ""),
            scopes=[s for s in form.getlist("scopes") if isinstance(s, str)] or None,
            read_only=form.get("read_only") == "on",
            ip_allowlist=[a for a in allowlist if a],
        )
    except ValidationError as exc:
        return await _keys(request, current, error=exc.message, status=400)
    return await _keys(request, current, created=created.key, status=201)


@router.post("/keys/{sid}/revoke")
async def revoke_key(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "manage")
    await session.runtime_of(request).accounts.revoke_key(current.account.sid, sid)
    return RedirectResponse("/keys", status_code=303)


@router.get("/users")
async def users_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _users(request, current)


@router.post("/users")
async def add_user(request: Request) -> Response:
    current, form = await session.posted(request, "manage")
    try:
        made = await session.runtime_of(request).users.create_user(
            current.account.sid, str(form.get("email") or ""), str(form.get("role") or "")
        )
    except (ValidationError, ConflictError) as exc:
        return await _users(request, current, error=exc.message, status=400)
    return await _users(request, current, made=(made.user.email, made.password), status=201)


@router.post("/users/{sid}/role")
async def set_role(request: Request, sid: str) -> Response:
    current, form = await session.posted(request, "manage")
    await session.runtime_of(request).users.set_role(
        current.account.sid, sid, str(form.get("role") or "")
    )
    return RedirectResponse("/users", status_code=303)


async def _keys(
    request: Request,
    current: session.Visit,
    *,
    created: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    keys = await session.runtime_of(request).accounts.list_keys(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "keys.html",
        status,
        visit=current,
        section="/keys",
        keys=keys.items,
        scopes=[s for s in SCOPES if s in current.account.plan.scopes],
        created=created,
        error=error,
    )


async def _users(
    request: Request,
    current: session.Visit,
    *,
    made: tuple[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    users = await session.runtime_of(request).users.list_users(current.account.sid)
    return render(
        "users.html",
        status,
        visit=current,
        section="/users",
        users=users,
        roles=ROLES,
        made=made,
        error=error,
    )
