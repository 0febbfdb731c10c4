"""Paging parameters as the dialects' documents name them — `page` with `per_page` or
`page_size`, or `offset` with `limit` — read into bounded numbers, and a walk over every
page for documents that list everything at once.

Every paging number is bounded (at most `MAX_PAGING_NUMBER`) before it reaches a service, so
no request can make the database's offset overflow; a number out of bounds is a 400 naming
its parameter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from watchwire.api.dialects.kit.fields import Fields
from watchwire.pagination import MAX_PER_PAGE, Page, PageRequest

T = TypeVar("T")

# A million pages (or rows to skip) is past any real listing and far from any overflow.
MAX_PAGING_NUMBER = 1_000_000


def page_request(
    fields: Fields,
    *,
    size_name: str = "per_page",
    default_size: int = 25,
    max_size: int = MAX_PER_PAGE,
    cap_size: bool = False,
) -> PageRequest:
    """The page asked for by `page` (from 1) and `size_name`. A size above `max_size` is
    refused, or with `cap_size` served at `max_size` (the response then says which size
    it served)."""
    page = fields.integer("page", 1, maximum=MAX_PAGING_NUMBER)
    size = fields.integer(
        size_name, default_size, maximum=MAX_PAGING_NUMBER if cap_size else max_size
    )
    return PageRequest(page=page, per_page=min(size, max_size))


@dataclass(frozen=True, slots=True)
class Window:
    """Rows `offset` … `offset + limit - 1` of a listing."""

    offset: int
    limit: int


def offset_window(
    fields: Fields, *, default_limit: int = 25, max_limit: int = MAX_PER_PAGE
) -> Window:
    """The rows asked for by `offset` (from 0) and `limit` (1 … `max_limit`)."""
    offset = fields.integer("offset", 0, minimum=0, maximum=MAX_PAGING_NUMBER)
    limit = fields.integer("limit", default_limit, maximum=max_limit)
    return Window(offset=offset, limit=limit)


async def every_item(fetch: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged service listing, for documents that answer with the whole list
    (updown's checks, Enterno's webhooks)."""
    items: list[T] = []
    number = 1
    while True:
        page = await fetch(PageRequest(page=number, per_page=MAX_PER_PAGE))
        items.extend(page.items)
        if not page.items or number >= page.pages:
            return items
        number += 1
