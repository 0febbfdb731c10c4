"""Page/per_page pagination shared by every service and face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from watchwire.errors import ValidationError

T = TypeVar("T")

MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValidationError.field("page", "minimum", "page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValidationError.field(
                "per_page", "range", f"per_page must be between 1 and {MAX_PER_PAGE}"
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    request: PageRequest

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def meta(self) -> dict[str, int]:
        return {
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "pages": self.pages,
        }
