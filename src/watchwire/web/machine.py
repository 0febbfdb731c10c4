"""The machine-readable routes of a page: `/p/{token}.json`, `/p/{token}/feed.atom` and
`/p/{token}/badge/{sid}/{kind}.svg`, each with the page's ETag and a short max-age."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from watchwire.services.status_pages.view import Period
from watchwire.web import badges, caching, feed, summary
from watchwire.web.pages import Opened, Opener


def router(opener: Opener) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    def cached(
        request: Request, tag: str, shared: bool, body: bytes | str, media_type: str
    ) -> Response:
        if caching.not_modified(request, tag):
            return caching.revalidated(tag, shared=shared)
        return caching.finish(Response(body, media_type=media_type), tag, shared=shared)

    @routes.get("/p/{token}.json")
    async def page_json(
        request: Request,
        token: str,
        access_key: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        opened = await opener.open(request, token, access_key)
        if not isinstance(opened, Opened):
            return opened
        view, shared = opened.view, opened.shared
        tag = caching.entity_tag(view.etag, "json")
        return cached(request, tag, shared, orjson.dumps(summary.summary(view)), "application/json")

    @routes.get("/p/{token}/feed.atom")
    async def page_feed(
        request: Request,
        token: str,
        access_key: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        opened = await opener.open(request, token, access_key)
        if not isinstance(opened, Opened):
            return opened
        view, shared = opened.view, opened.shared
        page_url = str(request.url_for("page_by_token", token=token))
        tag = caching.entity_tag(view.etag, "atom", page_url)
        return cached(request, tag, shared, feed.atom(view, page_url), "application/atom+xml")

    @routes.get("/p/{token}/badge/{sid}/{kind}.svg")
    async def page_badge(
        request: Request,
        token: str,
        sid: str,
        kind: badges.BadgeKind,
        period: Period = "30d",
        access_key: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        opened = await opener.open(request, token, access_key)
        if not isinstance(opened, Opened):
            return opened
        view, shared = opened.view, opened.shared
        component = next(
            (c for group in view.groups for c in group.components if c.sid == sid), None
        )
        if component is None:
            return Response("no such component on this page", 404, media_type="text/plain")
        tag = caching.entity_tag(view.etag, "badge", sid, kind, period)
        body = badges.svg(*badges.value_of(component, kind, period))
        return cached(request, tag, shared, body, "image/svg+xml")

    return routes
