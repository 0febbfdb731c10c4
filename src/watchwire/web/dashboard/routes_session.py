"""Signing in and out: `GET/POST /login`, `POST /logout`, and `/` for a visitor who is not
on a status page's own domain (signed in: the monitors; else the sign-in form)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import AuthError, RateLimitedError
from watchwire.services.users import SESSION_DAYS
from watchwire.web.dashboard import session
from watchwire.web.dashboard.routing import DashboardRoute
from watchwire.web.dashboard.templating import render

LOGIN_AGE = 3600  # the nonce of an open sign-in form


def _login_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    next_path: str = "/monitors",
    signed_out: bool = False,
) -> Response:
    nonce, new = session.login_nonce(request)
    csrf = session.runtime_of(request).users.csrf_token("login\0" + nonce)
    response = render(
        "login.html",
        status,
        visit=None,
        csrf=csrf,
        error=error,
        email=email,
        next=next_path,
        signed_out=signed_out,
    )
    if new:
        session.set_cookie(request, response, session.LOGIN_COOKIE, nonce, LOGIN_AGE)
    return response


router = APIRouter(include_in_schema=False, route_class=DashboardRoute)


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(
        request, next_path=session.safe_next(next), signed_out="out" in request.query_params
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await session.read_form(request)
    users = session.runtime_of(request).users
    nonce = request.cookies.get(session.LOGIN_COOKIE, "")
    presented = form.get(session.CSRF_FIELD)
    email = str(form.get("email") or "")[:254]
    next_path = session.safe_next(str(form.get("next") or ""))
    if (
        not nonce
        or not isinstance(presented, str)
        or not users.csrf_matches("login\0" + nonce, presented)
    ):
        raise session.Refused(
            "This sign-in form did not come from this site, or it expired: open it again."
        )
    try:
        signed = await users.sign_in(email, str(form.get("password") or ""))
    except (AuthError, RateLimitedError) as exc:
        status = 429 if isinstance(exc, RateLimitedError) else 401
        return _login_page(
            request, status=status, error=exc.message, email=email, next_path=next_path
        )
    response = RedirectResponse(next_path, status_code=303)
    age = SESSION_DAYS * 86400
    session.set_cookie(request, response, session.SESSION_COOKIE, signed.token, age)
    response.delete_cookie(session.LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await session.posted(request, None)
    await session.runtime_of(request).users.sign_out(
        request.cookies.get(session.SESSION_COOKIE, "")
    )
    response = RedirectResponse("/login?out", status_code=303)
    response.delete_cookie(session.SESSION_COOKIE, path="/")
    return response


async def home(request: Request) -> Response:
    """`/` on the dashboard's own address."""
    token = request.cookies.get(session.SESSION_COOKIE, "")
    signed_in = await session.runtime_of(request).users.session_user(token) is not None
    return RedirectResponse("/monitors" if signed_in else "/login", status_code=303)
