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


def encoding_for(request: Request) -> str:
    """`gzip` when the visitor takes it, else `identity`: the page is kept in both."""
    accepted = request.headers.get("accept-encoding", "")
    return "gzip" if "gzip" in accepted.lower() else "identity"


def not_modified(request: Request, tag: str) -> bool:
    offered = request.headers.get("if-none-match", "")
    return any(item.strip() in (tag, f"W/{tag}", "*") for item in offered.split(","))


def finish(response: Response, tag: str, *, shared: bool, by_encoding: bool = False) -> Response:
    """`shared` False for pages opened with an access key: no proxy may keep them."""
    scope = "public" if shared else "private"
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE_SECONDS}"
    vary = "Host" if shared else "Cookie, Host"
    # A page chooses its own encoding (web/pages.py); other answers get theirs, and their
    # Vary, from the compression middleware.
    response.headers["Vary"] = f"Accept-Encoding, {vary}" if by_encoding else vary
    return response


def revalidated(tag: str, *, shared: bool, by_encoding: bool = False) -> Response:
    return finish(Response(status_code=304), tag, shared=shared, by_encoding=by_encoding)
