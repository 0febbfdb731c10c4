"""The other things an account watches: certificate monitors (expiry, errors), monitored
domains (records missing, registration expiry) and blocklist hosts (the lists they are on,
with each list's zone for delisting), each listed with its state and filtered by state and
words; owners and editors create, change, pause, resume, check and delete them through the
forms of watch_forms.py, validated by the same services as the API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ValidationError
from watchwire.pagination import PageRequest
from watchwire.web.dashboard import session
from watchwire.web.dashboard.monitor_form import FORM_LEVEL
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render
from watchwire.web.dashboard.watch_forms import KINDS, WatchKind, errors_by_field, kind_of

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
SHOWN = 100
STATES = ("active", "paused", "failing")


def _matches(words: str, state: str, paused: bool, failing: bool, *texts: str) -> bool:
    """The list's filter: every word in the name or host, and the state (failing: has
    errors, records missing or is listed)."""
    if (state == "active" and paused) or (state == "paused" and not paused):
        return False
    if state == "failing" and not failing:
        return False
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words.lower().split())


@router.get("/watches")
async def watches_page(request: Request) -> Response:
    current = await session.visit(request)
    runtime = session.runtime_of(request)
    account = current.account.sid
    words = request.query_params.get("q", "")
    state = request.query_params.get("state", "")
    if state not in ("", *STATES):
        raise ValidationError.field("state", "enum", "state: active, paused or failing")
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
        shown_certs=[
            c
            for c in certs.items
            if _matches(words, state, c.paused, bool(c.errors), c.name, c.hostname, *c.tags)
        ],
        shown_domains=[
            d
            for d in domains.domains
            if _matches(words, state, d.paused, bool(d.non_propagated), d.domain)
        ],
        shown_hosts=[
            h
            for h in hosts.items
            if _matches(
                words, state, h.paused, any(x.listed for x in h.listings), h.name, h.host, *h.tags
            )
        ],
        q=words,
        state=state,
        states=STATES,
        now=runtime.clock.now(),
        done=request.query_params.get("done"),
    )


@router.get("/watches/{kind}/new")
async def new_form(request: Request, kind: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    chosen = kind_of(kind)
    values: dict[str, Any] = {"protocol": "https"} if kind == "cert" else {}
    return _form_page(current, kind, chosen, None, values, {})


@router.post("/watches/{kind}/new")
async def create(request: Request, kind: str) -> Response:
    current, form = await session.posted(request, "edit")
    chosen = kind_of(kind)
    runtime = session.runtime_of(request)
    try:
        await chosen.create(runtime, current.account.sid, chosen.raw(form, False))
    except ValidationError as exc:
        errors = errors_by_field(chosen, exc)
        return _form_page(current, kind, chosen, None, dict(form), errors, status=400)
    return RedirectResponse(f"/watches?done=added+{kind}", status_code=303)


@router.get("/watches/{kind}/{sid}/edit")
async def edit_form(request: Request, kind: str, sid: str) -> Response:
    current = await session.visit(request)
    if not current.may("edit"):
        raise session.Refused(f"Your role ({current.user.role}) cannot change this.")
    chosen = kind_of(kind)
    found = await chosen.get(session.runtime_of(request), current.account.sid, sid)
    return _form_page(current, kind, chosen, sid, chosen.values(found), {})


@router.post("/watches/{kind}/{sid}/edit")
async def update(request: Request, kind: str, sid: str) -> Response:
    current, form = await session.posted(request, "edit")
    chosen = kind_of(kind)
    runtime = session.runtime_of(request)
    try:
        await chosen.update(runtime, current.account.sid, sid, chosen.raw(form, True))
    except ValidationError as exc:
        found = await chosen.get(runtime, current.account.sid, sid)
        values = {**dict(form), chosen.fixed: chosen.values(found).get(chosen.fixed)}
        errors = errors_by_field(chosen, exc)
        return _form_page(current, kind, chosen, sid, values, errors, status=400)
    return RedirectResponse(f"/watches?done=saved+{kind}", status_code=303)


@router.post("/watches/{kind}/{sid}/{action}")
async def act(request: Request, kind: str, sid: str, action: str) -> Response:
    """check (certificates and domains: in the request, as the API's), pause, resume or
    delete."""
    current, _ = await session.posted(request, "edit")
    chosen = kind_of(kind)
    runtime = session.runtime_of(request)
    account = current.account.sid
    if action == "check" and chosen.check is not None:
        await chosen.check(runtime, account, sid)
    elif action in ("pause", "resume"):
        await chosen.pause(runtime, account, sid, action == "pause")
    elif action == "delete":
        await chosen.delete(runtime, account, sid)
    else:
        raise ValidationError.field("action", "enum", f"no such action here: {action}")
    return RedirectResponse(f"/watches?done={action}+{sid}", status_code=303)


def _form_page(
    current: session.Visit,
    kind: str,
    chosen: WatchKind,
    sid: str | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    base = f"/watches/{kind}/"
    return render(
        "watch_form.html",
        status,
        visit=current,
        section="/watches",
        title=("Edit " if sid else "New ") + chosen.title,
        action=base + (f"{sid}/edit" if sid else "new"),
        fields=chosen.fields,
        fixed=chosen.fixed if sid else "",
        values=values,
        errors=errors,
        form_level=errors.get(FORM_LEVEL),
        kinds=KINDS,
    )
