"""The dashboard's route class: every page answers in HTML, errors included. A missing
session is a redirect to the sign-in form, a refusal the 403 page, and any error of the
services (a monitor of another account, a conflict) the error page with its status, never
the API's JSON envelope. Every answer is private and never framed."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watchwire.errors import ValidationError, WatchwireError
from watchwire.web.dashboard.session import Refused, SignInNeeded, sign_in_url
from watchwire.web.dashboard.templating import error_page

# Scripts only from this site (htmx), styles inline (the layout's own), no frames, forms
# only to this site.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _redirect(request: Request, target: str) -> Response:
    if request.headers.get("hx-request"):
        # htmx follows a redirect inside the fragment; this makes the whole page go.
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = target
        return response
    return RedirectResponse(target, status_code=303)


def _refuse_nul(request: Request) -> None:
    """NUL in a path or query parameter is refused like in every face (PostgreSQL would
    refuse the statement it reached: a 500)."""
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        if "\x00" in str(value):
            raise ValidationError.field(name, "no_nul", f"{name}: must not contain NUL")


class DashboardRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                _refuse_nul(request)
                response = await handler(request)
            except SignInNeeded:
                target = sign_in_url(request) if request.method == "GET" else "/login"
                response = _redirect(request, target)
            except Refused as exc:
                response = error_page(403, "Not allowed", exc.message)
            except WatchwireError as exc:
                response = error_page(exc.status, "That did not work", exc.message)
            response.headers.update(HEADERS)
            return response

        return guarded
