"""Paging numbers bounded before they reach a service, and the walk over every page."""

from __future__ import annotations

import pytest

from watchwire.api.dialects.kit.fields import Fields
from watchwire.api.dialects.kit.paging import (
    MAX_PAGING_NUMBER,
    Window,
    every_item,
    offset_window,
    page_request,
)
from watchwire.errors import ValidationError
from watchwire.pagination import Page, PageRequest

HUGE = "18446744073709551616"


def refused(read: object, **values: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        read(Fields(values))  # type: ignore[operator]
    return caught.value.details[0]["field"], caught.value.details[0]["rule"]


def test_page_and_size() -> None:
    assert page_request(Fields({})) == PageRequest(page=1, per_page=25)
    assert page_request(Fields({"page": "3", "per_page": "7"})) == PageRequest(3, 7)
    assert page_request(Fields({"page_size": "7"}), size_name="page_size").per_page == 7
    assert page_request(Fields({"page": str(MAX_PAGING_NUMBER)})).page == MAX_PAGING_NUMBER


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"page": HUGE}, ("page", "maximum")),
        ({"page": str(MAX_PAGING_NUMBER + 1)}, ("page", "maximum")),
        ({"page": "0"}, ("page", "minimum")),
        ({"page": "-1"}, ("page", "minimum")),
        ({"page": "x"}, ("page", "integer")),
        ({"per_page": "101"}, ("per_page", "maximum")),
        ({"per_page": HUGE}, ("per_page", "maximum")),
        ({"per_page": "0"}, ("per_page", "minimum")),
    ],
)
def test_page_bounds(values: dict[str, str], expected: tuple[str, str]) -> None:
    assert refused(page_request, **values) == expected


def test_capped_sizes_are_served_at_the_maximum_up_to_the_bound() -> None:
    assert page_request(Fields({"per_page": "1000"}), cap_size=True).per_page == 100
    assert refused(lambda f: page_request(f, cap_size=True), per_page=HUGE) == (
        "per_page",
        "maximum",
    )


def test_offset_and_limit() -> None:
    assert offset_window(Fields({})) == Window(offset=0, limit=25)
    assert offset_window(Fields({"offset": "0", "limit": "100"})) == Window(0, 100)
    assert refused(offset_window, offset=HUGE) == ("offset", "maximum")
    assert refused(offset_window, offset="-1") == ("offset", "minimum")
    assert refused(offset_window, limit="101") == ("limit", "maximum")
    assert refused(offset_window, limit="0") == ("limit", "minimum")


async def test_every_item_walks_each_page_once() -> None:
    rows = list(range(250))
    asked: list[int] = []

    async def fetch(request: PageRequest) -> Page[int]:
        asked.append(request.page)
        return Page(rows[request.offset : request.offset + request.per_page], len(rows), request)

    assert await every_item(fetch) == rows and asked == [1, 2, 3]
    rows.clear()
    asked.clear()
    assert await every_item(fetch) == [] and asked == [1]
