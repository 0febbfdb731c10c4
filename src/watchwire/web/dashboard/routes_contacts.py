"""Contacts: the account's notification destinations (email, chat, paging, SMS …) with
their confirmation state; adding one (it is sent a code), confirming it with the code or
sending a new one, editing it (a new destination is sent a new code), a test send, pausing,
resuming and deleting; and the contact groups (which contacts an event of a monitor, a
certificate, a domain or a blocklist host reaches). The contact and group services check
each field, as for the API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.delivery.channels import NATIVE_TYPES
from watchwire.errors import ConflictError, ValidationError
from watchwire.pagination import PageRequest
from watchwire.services.contacts import Contact
from watchwire.web.dashboard import session
from watchwire.web.dashboard.form_errors import placed
from watchwire.web.dashboard.monitor_form import FORM_LEVEL
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
CONTACT_FIELDS = ("contact", "name", "args", "contact_groups")
GROUP_FIELDS = ("name", "contacts")


@router.get("/contacts")
async def contacts_page(request: Request) -> Response:
    current = await session.visit(request)
    return await _page(request, current, done=request.query_params.get("done"))


def _args_of(form: FormData) -> dict[str, Any]:
    text = str(form.get("args") or "").strip()
    try:
        args: Any = json.loads(text) if text else {}
    except json.JSONDecodeError as exc:
        raise ValidationError.field("args", "json", f"settings: not JSON ({exc.msg})") from None
    if not isinstance(args, dict):
        raise ValidationError.field("args", "json", "settings: a JSON object")
    return args


def _chosen(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


@router.post("/contacts")
async def add_contact(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).contacts.create_contact(
            current.account.sid,
            type=str(form.get("type") or ""),
            contact=str(form.get("contact") or "").strip(),
            name=str(form.get("name") or "").strip() or None,
            args=_args_of(form),
        )
    except ValidationError as exc:
        return await _page(request, current, error=exc.message, status=400)
    return RedirectResponse("/contacts?done=added", status_code=303)


@router.get("/contacts/{sid}/edit")
async def edit_contact_form(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    found = await session.runtime_of(request).contacts.get_contact(current.account.sid, sid)
    values = {
        "contact": found.value,
        "name": found.name,
        "args": json.dumps(_settings(found), indent=2) if _settings(found) else "",
        "contact_groups": list(found.contact_groups),
    }
    return await _contact_form(request, current, found, values, {})


@router.post("/contacts/{sid}/edit")
async def edit_contact(request: Request, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    service = session.runtime_of(request).contacts
    found = await service.get_contact(current.account.sid, sid)
    try:
        await service.update_contact(
            current.account.sid,
            sid,
            contact=str(form.get("contact") or "").strip(),
            name=str(form.get("name") or "").strip() or None,
            args=_args_of(form),
            contact_groups=_chosen(form, "contact_groups"),
        )
    except ValidationError as exc:
        values = {**dict(form), "contact_groups": _chosen(form, "contact_groups")}
        errors = placed(exc, CONTACT_FIELDS)
        return await _contact_form(request, current, found, values, errors, status=400)
    return RedirectResponse("/contacts?done=saved", status_code=303)


@router.post("/contacts/{sid}/{action}")
async def act(request: Request, sid: str, action: str) -> Response:
    """confirm (the form's `authcode`), resend, test, pause, resume or delete."""
    current, form = await session.posted(request, "edit")
    service = session.runtime_of(request).contacts
    account = current.account.sid
    try:
        if action == "confirm":
            await service.confirm_contact(account, sid, str(form.get("authcode") or ""))
        elif action == "resend":
            await service.resend_confirmation(account, sid)
        elif action == "test":
            await service.send_test(account, sid)
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


# -- contact groups ---------------------------------------------------------------------------


@router.get("/contact-groups/new")
async def new_group_form(request: Request) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    return await _group_form(request, current, None, {"contacts": []}, {})


@router.post("/contact-groups/new")
async def add_group(request: Request) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).contact_groups.create_group(
            current.account.sid,
            name=str(form.get("name") or ""),
            is_default=form.get("is_default") == "on",
            contacts=_chosen(form, "contacts"),
        )
    except ValidationError as exc:
        values = {**dict(form), "contacts": _chosen(form, "contacts")}
        return await _group_form(request, current, None, values, placed(exc, GROUP_FIELDS), 400)
    return RedirectResponse("/contacts?done=group+added", status_code=303)


@router.get("/contact-groups/{sid}/edit")
async def edit_group_form(request: Request, sid: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    found = await session.runtime_of(request).contact_groups.get_group(current.account.sid, sid)
    values = {"name": found.name, "is_default": found.is_default, "contacts": found.contacts}
    return await _group_form(request, current, sid, values, {})


@router.post("/contact-groups/{sid}/edit")
async def edit_group(request: Request, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    try:
        await session.runtime_of(request).contact_groups.update_group(
            current.account.sid,
            sid,
            name=str(form.get("name") or ""),
            is_default=form.get("is_default") == "on",
            contacts=_chosen(form, "contacts"),
        )
    except ValidationError as exc:
        values = {**dict(form), "contacts": _chosen(form, "contacts")}
        return await _group_form(request, current, sid, values, placed(exc, GROUP_FIELDS), 400)
    return RedirectResponse("/contacts?done=group+saved", status_code=303)


@router.post("/contact-groups/{sid}/delete")
async def delete_group(request: Request, sid: str) -> Response:
    current, _ = await session.posted(request, "edit")
    await session.runtime_of(request).contact_groups.delete_group(current.account.sid, sid)
    return RedirectResponse("/contacts?done=group+deleted", status_code=303)


# -- pages ------------------------------------------------------------------------------------


def _settings(found: Contact) -> dict[str, Any]:
    """The type's own settings as the form shows them (credentials masked: sent back as
    shown, they stay as they are)."""
    return {k: v for k, v in found.args.items() if k not in ("contact", "schedule")}


async def _all_contacts(request: Request, current: session.Visit) -> list[Contact]:
    found = await session.runtime_of(request).contacts.list_contacts(
        current.account.sid, PageRequest(1, 100)
    )
    return list(found.items)


async def _contact_form(
    request: Request,
    current: session.Visit,
    found: Contact,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    groups = await session.runtime_of(request).contact_groups.list_groups(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "contact_form.html",
        status,
        visit=current,
        section="/contacts",
        contact=found,
        groups=groups.items,
        values=values,
        errors=errors,
        form_level=errors.get(FORM_LEVEL),
    )


async def _group_form(
    request: Request,
    current: session.Visit,
    sid: str | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        "contact_group_form.html",
        status,
        visit=current,
        section="/contacts",
        sid=sid,
        contacts=await _all_contacts(request, current),
        values=values,
        errors=errors,
        form_level=errors.get(FORM_LEVEL),
    )


async def _page(
    request: Request,
    current: session.Visit,
    *,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    found = await _all_contacts(request, current)
    groups = await session.runtime_of(request).contact_groups.list_groups(
        current.account.sid, PageRequest(1, 100)
    )
    return render(
        "contacts.html",
        status,
        visit=current,
        section="/contacts",
        contacts=found,
        names={c.sid: c.name for c in found},
        groups=groups.items,
        types=NATIVE_TYPES,
        error=error,
        done=done,
    )
