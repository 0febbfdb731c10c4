"""ETag and Cache-Control for every visitor answer: a page seen by many visitors is
computed once per change, and a browser's revalidation is answered with a bodiless 304."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

# Short: a visitor sees a change within half a minute, a crowd still costs one visit each.
MAX_AGE_SECONDS = 30


def entity_tag(page_etag: str, *variant: str) -> str:
    """A strong tag over the page's own tag and what else chose this representation."""
    digest = hashlib.sha256("\x1f".join((page_etag, *variant)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def not_modified(request: Request, tag: str) -> bool:
    offered = request.headers.get("if-none-match", "")
    return any(item.strip() in (tag, f"W/{tag}", "*") for item in offered.split(","))


def finish(response: Response, tag: str, *, shared: bool) -> Response:
    """`shared` False for pages opened with an access key: no proxy may keep them."""
    scope = "public" if shared else "private"
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE_SECONDS}"
    response.headers["Vary"] = "Cookie, Host" if not shared else "Host"
    return response


def revalidated(tag: str, *, shared: bool) -> Response:
    return finish(Response(status_code=304), tag, shared=shared)
