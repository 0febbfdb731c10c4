"""`GET /p/{token}` (and `/` on a page's custom domain): the status page as HTML, rendered
on the server; the access form of protected pages; the 404 page."""

from __future__ import annotations

import asyncio
import gzip
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, get_args

from fastapi import APIRouter, Form, Query
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from watchwire.errors import AuthError, ForbiddenError, NotFoundError
from watchwire.services.status_pages.view import ChartPeriod, PageView
from watchwire.web import caching, chart, render
from watchwire.web.visits import OwnerOf, VisitsOf

ACCESS_COOKIE_PREFIX = "watchwire_page_"
CHART_PERIODS: tuple[ChartPeriod, ...] = get_args(ChartPeriod)
PERIOD_WORDS: dict[ChartPeriod, str] = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    render=render,
    chart=chart,
    PERIOD_WORDS=PERIOD_WORDS,
    CHART_PERIODS=CHART_PERIODS,
)


def access_cookie(token: str) -> str:
    return ACCESS_COOKIE_PREFIX + token


def _render(encoding: str, template: str, context: dict[str, object]) -> bytes:
    body = templates.get_template(template).render(**context).encode()
    return gzip.compress(body, compresslevel=6, mtime=0) if encoding == "gzip" else body


@dataclass(frozen=True, slots=True)
class Rendered:
    tag: str
    body: bytes


class RenderedPages:
    """Each page's last rendering per period, base and encoding, kept with its tag. A crowd
    on a big page costs one rendering and one compression per view, not one per visitor
    (200 components are 18,000 day bars, ~2.4 MB of HTML; rendering takes hundreds of ms).
    When the view has changed, its new rendering is made once, in a worker thread, while
    visitors are still given the last one (stale while revalidating, like the views
    themselves): only the very first visitor of a page waits for it."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, ...], Rendered] = OrderedDict()
        self._rendering: dict[tuple[str, ...], asyncio.Task[Rendered]] = {}

    async def get(
        self, key: tuple[str, ...], tag: str, encoding: str, template: str, **context: object
    ) -> Rendered:
        kept = self._kept.get(key)
        if kept is not None and kept.tag == tag:
            return kept
        task = self._rendering.get(key)
        if task is None:
            task = asyncio.create_task(self._render(key, tag, encoding, template, context))
            self._rendering[key] = task
        if kept is not None:
            return kept
        return await asyncio.shield(task)

    async def _render(
        self,
        key: tuple[str, ...],
        tag: str,
        encoding: str,
        template: str,
        context: dict[str, object],
    ) -> Rendered:
        try:
            body = await asyncio.to_thread(_render, encoding, template, context)
            made = self._kept[key] = Rendered(tag, body)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
            return made
        finally:
            self._rendering.pop(key, None)


def page_response(made: Rendered, encoding: str) -> HTMLResponse:
    response = HTMLResponse(made.body)
    if encoding == "gzip":
        # Already encoded: the compression middleware passes it through as it is.
        response.headers["Content-Encoding"] = "gzip"
    return response


def html(template: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(templates.get_template(template).render(**context), status_code=status)


def not_found_page() -> HTMLResponse:
    return html("not_found.html", 404)


def access_page(action: str, *, refused: bool) -> HTMLResponse:
    """The form of a protected page; 401 so no cache and no robot takes it for the page."""
    return html("access.html", 401, action=action, refused=refused)


@dataclass(frozen=True, slots=True)
class Opened:
    """A page a visitor may see, and whether shared caches may keep it: only when nothing
    personal opened it (no access key, no access cookie, no owner's key)."""

    view: PageView
    shared: bool


@dataclass(frozen=True, slots=True)
class Opener:
    visits_of: VisitsOf
    owner_of: OwnerOf

    async def open(
        self, request: Request, token: str | None, access_key: str | None
    ) -> Opened | Response:
        """The page, or the answer to send instead (the 404 page, the access form)."""
        from_cookie = request.cookies.get(access_cookie(token or "domain"))
        key = access_key or from_cookie
        owner = await self.owner_of(request)
        try:
            view = await self.visits_of(request).visit(
                token, access_key=key, host=request.headers.get("host"), owner_account=owner
            )
        except NotFoundError:
            return not_found_page()
        except (ForbiddenError, AuthError):
            action = f"/p/{token}/access" if token else "/access"
            return access_page(action, refused=key is not None)
        return Opened(view, shared=key is None and owner is None)


Home = Callable[[Request], Awaitable[Response]]


def router(opener: Opener, home: Home | None = None) -> APIRouter:
    """The page routes; `home` answers `/` on an address that is no page's own domain
    (the dashboard), instead of the 404 page."""
    routes = APIRouter(include_in_schema=False)
    rendered = RenderedPages()

    async def page(
        request: Request, token: str | None, access_key: str | None, period: str
    ) -> Response:
        opened = await opener.open(request, token, access_key)
        if not isinstance(opened, Opened):
            return opened
        chosen: ChartPeriod = period if period in CHART_PERIODS else "24h"
        base = f"/p/{opened.view.token}" if token else ""
        encoding = caching.encoding_for(request)
        tag = caching.entity_tag(opened.view.etag, "html", chosen, base, encoding)
        if caching.not_modified(request, tag):
            return caching.revalidated(tag, shared=opened.shared, by_encoding=True)
        key = (opened.view.token, chosen, base, encoding)
        made = await rendered.get(
            key, tag, encoding, "page.html", page=opened.view, period=chosen, base=base
        )
        # The last rendering while the new one is made: it carries its own tag.
        if made.tag != tag and caching.not_modified(request, made.tag):
            return caching.revalidated(made.tag, shared=opened.shared, by_encoding=True)
        response = page_response(made, encoding)
        return caching.finish(response, made.tag, shared=opened.shared, by_encoding=True)

    @routes.get("/p/{token}", response_class=HTMLResponse)
    async def page_by_token(
        request: Request,
        token: str,
        access_key: Annotated[str | None, Query(max_length=200)] = None,
        period: Annotated[str, Query(max_length=10)] = "24h",
    ) -> Response:
        return await page(request, token, access_key, period)

    @routes.get("/", response_class=HTMLResponse)
    async def page_by_domain(
        request: Request,
        access_key: Annotated[str | None, Query(max_length=200)] = None,
        period: Annotated[str, Query(max_length=10)] = "24h",
    ) -> Response:
        answer = await page(request, None, access_key, period)
        if answer.status_code == 404 and home is not None:
            return await home(request)
        return answer

    async def grant(request: Request, token: str | None, access_key: str) -> Response:
        """Checks the key with a visit; a right key is kept in a cookie for this page only."""
        opened = await opener.open(request, token, access_key)
        if not isinstance(opened, Opened):
            return opened
        target = f"/p/{token}" if token else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            access_cookie(token or "domain"),
            access_key,
            path=target,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @routes.post("/p/{token}/access")
    async def grant_by_token(
        request: Request, token: str, access_key: Annotated[str, Form(max_length=200)]
    ) -> Response:
        return await grant(request, token, access_key)

    @routes.post("/access")
    async def grant_by_domain(
        request: Request, access_key: Annotated[str, Form(max_length=200)]
    ) -> Response:
        return await grant(request, None, access_key)

    return routes
