"""Who is looking at the dashboard, and whether they may do what a form asks.

- The session cookie (`watchwire_session`) holds the random token of a server-side session
  row (services/users.py); it is HttpOnly, SameSite=Lax and Secure whenever the dashboard is
  reached over https (directly, or through a trusted proxy's X-Forwarded-Proto).
- Every form carries a CSRF token bound to the session (or, on the sign-in form, to a nonce
  cookie of its own), and `posted()` is the only way a route reads a form: a post without
  the right token is refused before anything else happens.
- Roles are enforced here, on the server: a viewer's post is refused with the 403 page,
  whatever the page it came from showed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from watchwire.errors import ValidationError
from watchwire.runtime import Runtime
from watchwire.services.accounts import Account
from watchwire.services.users import Action, User

SESSION_COOKIE = "watchwire_session"
LOGIN_COOKIE = "watchwire_login"
CSRF_FIELD = "csrf"
# A form body is small; the largest is a monitor's options (a few kB).
MAX_FORM_BYTES = 64 * 1024


class SignInNeeded(Exception):
    """No live session: the visitor is sent to the sign-in form."""


class Refused(Exception):
    """The 403 page: the role may not, or the form did not come from this session."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in person's request: who, which account, the token their forms carry."""

    user: User
    account: Account
    csrf: str

    def may(self, action: Action) -> bool:
        return self.user.may(action)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


async def visit(request: Request) -> Visit:
    """The signed-in visit; SignInNeeded when there is none."""
    token = request.cookies.get(SESSION_COOKIE, "")
    runtime = runtime_of(request)
    user = await runtime.users.session_user(token)
    if user is None:
        raise SignInNeeded()
    account = await runtime.accounts.get_account(user.account_sid)
    return Visit(user, account, runtime.users.csrf_token(token))


async def page_owner(request: Request) -> str | None:
    """The signed-in user's account, for the status pages' owner view (web/pages.py's
    `owner_of`): a private or protected page of that account opens for its users (every role
    reads every page), as the editor's preview. None without a live session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user = await runtime_of(request).users.session_user(token)
    return None if user is None else user.account_sid


def login_nonce(request: Request) -> tuple[str, bool]:
    """The sign-in form's nonce cookie value, and whether it is new (to be set)."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if 16 <= len(nonce) <= 64:
        return nonce, False
    return secrets.token_urlsafe(24), True


async def read_form(request: Request) -> FormData:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise Refused("That form is too large.")
    form = await request.form(max_files=0, max_fields=200)
    for name, value in form.multi_items():
        # The text rule of every face (watchwire/text.py): NUL nowhere (PostgreSQL refuses it).
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise ValidationError.field(name, "no_nul", f"{name}: must not contain NUL")
    return form


async def posted(request: Request, action: Action | None) -> tuple[Visit, FormData]:
    """The visit and form of a post that carries this session's CSRF token and whose
    user's role allows `action` (None: any signed-in user, e.g. signing out)."""
    current = await visit(request)
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    presented = form.get(CSRF_FIELD)
    if not isinstance(presented, str) or not runtime_of(request).users.csrf_matches(
        token, presented
    ):
        raise Refused("This form did not come from your session here (its CSRF token is wrong).")
    if action is not None and not current.may(action):
        raise Refused(f"Your role ({current.user.role}) cannot change this.")
    return current, form


def sign_in_url(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return "/login?next=" + quote(target, safe="/")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only (no `//host`, no scheme)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/monitors"
    return value
