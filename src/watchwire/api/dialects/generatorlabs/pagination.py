"""003's paging: `page` and `page_size` in, `page`, `page_size`, `total_pages`, `total` out,
and every list sent under both `data` and its resource key (the Go and Ruby SDKs read only
the latter; Node, PHP and Python read it first).
"""

from __future__ import annotations

from typing import Any

from watchwire.api.dialects.generatorlabs.envelope import success
from watchwire.api.dialects.kit import paging
from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.envelope import JsonResponse
from watchwire.pagination import Page, PageRequest

DEFAULT_PAGE_SIZE = 100


def page_request(fields: Fields) -> PageRequest:
    """The page asked for. A `page_size` above the service's maximum is served at the maximum
    (and said so in the response's `page_size`), as 003 documents no upper bound; `page` and
    `page_size` above the kit's bound (1,000,000) are refused."""
    return paging.page_request(
        fields, size_name="page_size", default_size=DEFAULT_PAGE_SIZE, cap_size=True
    )


def paging_fields(page: Page[Any]) -> dict[str, int]:
    return {
        "page": page.request.page,
        "page_size": page.request.per_page,
        "total_pages": page.pages,
        "total": page.total,
    }


def listing(
    message: str, key: str, items: list[dict[str, Any]], page: Page[Any], **extra: Any
) -> JsonResponse:
    """A list response: paging fields, `extra` counters (`total_listed` …), then the items."""
    return success(message, items, **paging_fields(page), **extra, **{key: items})


def single(message: str, key: str, item: dict[str, Any], **extra: Any) -> JsonResponse:
    """A get response: 003 answers one object as a one-element list with paging fields."""
    one = Page([item], 1, PageRequest(page=1, per_page=DEFAULT_PAGE_SIZE))
    return listing(message, key, [item], one, **extra)
