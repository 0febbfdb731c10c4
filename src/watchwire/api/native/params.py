"""Query parameters shared by native endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from watchwire.pagination import PageRequest


def page_request(
    page: Annotated[int, Query(ge=1, description="Page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Items per page, 1 to 100")] = 25,
) -> PageRequest:
    return PageRequest(page=page, per_page=per_page)
