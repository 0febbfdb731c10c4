"""Query parameters shared by native endpoints, with their bounds in the OpenAPI description
(a value outside them is a 400 naming the parameter, before any query is built)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from watchwire.pagination import MAX_OFFSET, MAX_PAGE, MAX_PER_PAGE, PageRequest

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items, 1 to {MAX_PER_PAGE}")]


def page_request(
    page: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description=f"Page number, 1 to {MAX_PAGE:,}")
    ] = 1,
    per_page: Annotated[
        int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}")
    ] = 25,
) -> PageRequest:
    return PageRequest(page=page, per_page=per_page)
