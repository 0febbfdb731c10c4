"""Contacts: the account's notification destinations (email, chat, paging, SMS …) with
their confirmation state; adding one (it is sent a code), confirming it with the code or
sending a new one, pausing, resuming and deleting. The contact service checks each type's
destination and settings, as for the API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.delivery.channels import NATIVE_TYPES
from watchwire.errors import ConflictError, ValidationError
from watchwire.pagination import PageRequest
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


@router.get("/contacts")
async def contacts_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _page(request, current, done=request.query_params.get("done"))


@router.post("/contacts")
async def add_contact(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    text = str(form.get("args") or "").strip()
    try:
        args: Any = json.loads(text) if text else {}
        if not isinstance(args, dict):
            raise ValidationError.field("args", "json", "settings: a JSON object")
        await session.runtime_of(request).contacts.create_contact(
            current.account.sid,
            type=str(form.get("type") or ""),
            contact=str(form.get("contact") or "").strip(),
            name=str(form.get("name") or "").strip() or None,
            args=args,
        )
    except json.JSONDecodeError as exc:
        return await _page(request, current, error=f"settings: not JSON ({exc.msg})", status=400)
    except ValidationError as exc:
        return await _page(request, current, error=exc.message, status=400)
    return RedirectResponse("/contacts?done=added", status_code=303)


@router.post("/contacts/{sid}/{action}")
async def act(request: Request, sid: str, action: str) -> Response:
    """confirm (the form's `authcode`), resend, pause, resume or delete."""
    current, form = await session.posted(request, "edit")
    service = session.runtime_of(request).contacts
    account = current.account.sid
    try:
        if action == "confirm":
            await service.confirm_contact(account, sid, str(form.get("authcode") or ""))
        elif action == "resend":
            await service.resend_confirmation(account, sid)
        elif action == "pause":
            await service.pause_contact(account, sid)
        elif action == "resume":
            await service.resume_contact(account, sid)
        elif action == "delete":
            await service.delete_contact(account, sid)
        else:
            raise ValidationError.field("action", "enum", f"no such action: {action}")
    except (ValidationError, ConflictError) as exc:
        return await _page(request, current, error=exc.message, status=exc.status)
    return RedirectResponse(f"/contacts?done={action}", status_code=303)


async def _page(
    request: Request,
    current: session.Visit,
    *,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    found = await session.runtime_of(request).contacts.list_contacts(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "contacts.html",
        status,
        visit=current,
        section="/contacts",
        contacts=found.items,
        types=NATIVE_TYPES,
        error=error,
        done=done,
    )
