"""Page/per_page (and offset/limit) pagination shared by every service and face.

The bounds keep every offset far inside the database's integer: a page number like
2**64 used to reach SQLite and PostgreSQL as an offset they cannot hold (a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from watchwire.errors import ValidationError

T = TypeVar("T")

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
# The deepest offset a list can be asked for: as deep as the last page of the widest pages.
MAX_OFFSET = (MAX_PAGE - 1) * MAX_PER_PAGE


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationError.field("page", "range", f"page must be between 1 and {MAX_PAGE:,}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValidationError.field(
                "per_page", "range", f"per_page must be between 1 and {MAX_PER_PAGE}"
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def check_offset(offset: int, field: str = "offset") -> int:
    """An offset/limit list's offset, refused (naming `field`) outside 0..MAX_OFFSET."""
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError.field(field, "range", f"{field} must be between 0 and {MAX_OFFSET:,}")
    return offset


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
