"""The other things an account watches, read-only: certificate monitors (expiry, errors),
monitored domains (records missing, registration expiry) and blocklist hosts (the lists
they are on, with each list's zone for delisting). They are made and changed over the API
and the CLI; "check now" is here for owners and editors."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ValidationError
from watchwire.pagination import PageRequest
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
SHOWN = 100


@router.get("/watches")
async def watches_page(request: Request) -> Response:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    account = current.account.sid
    certs = await runtime.certs.list_monitors(account, PageRequest(1, SHOWN))
    domains = await runtime.domains.list_domains(account, limit=SHOWN)
    hosts, listed = await runtime.rbl.list_hosts(account, PageRequest(1, SHOWN))
    return render(
        "watches.html",
        visit=current,
        section="/watches",
        certs=certs,
        domains=domains,
        hosts=hosts,
        listed=listed,
        now=runtime.clock.now(),
        checked=request.query_params.get("checked"),
    )


@router.post("/watches/{kind}/{sid}/check")
async def check_now(request: Request, kind: str, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    runtime = session.runtime_of(request)
    if kind == "cert":
        await runtime.certs.check_now(current.account.sid, sid)
    elif kind == "domain":
        await runtime.domains.check_now(current.account.sid, sid)
    else:
        raise ValidationError.field("kind", "enum", "kind: cert or domain")
    return RedirectResponse(f"/watches?checked={sid}", status_code=303)
