"""Ids as the dialects' clients send them: watchwire's prefixed SIDs, checked against their
pattern before any service sees them, and the positive integers some documents show
(Enterno's `?id=12`), bounded by what the databases store.

A malformed id is a 400 naming the field and the pattern, not a 404: the client sent
something that can never name a row.
"""

from __future__ import annotations

import re

from watchwire.errors import ValidationError
from watchwire.ids import sid_pattern

# The largest id an integer column holds (BIGINT on PostgreSQL, INTEGER on SQLite).
MAX_INTEGER_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")


def pattern_of(kind: str) -> str:
    """The regular expression SIDs of `kind` match, as the error messages show it."""
    return sid_pattern(kind).pattern


def check_sid(field: str, kind: str, value: str) -> str:
    """`value` when it is a SID of `kind`, else ValidationError(`pattern`) naming `field`."""
    # fullmatch: `$` alone would let a trailing line break through.
    if not sid_pattern(kind).fullmatch(value):
        raise ValidationError.field(field, "pattern", f"{field} must match {pattern_of(kind)}")
    return value


def path_sid(kind: str, value: str, field: str = "id") -> str:
    """A SID taken from the request path, checked against its resource's pattern."""
    return check_sid(field, kind, value)


def integer_id(field: str, value: str | int) -> int:
    """A positive integer id (1 to 2**63 - 1) written in ASCII digits, else ValidationError."""
    text = str(value).strip()
    if isinstance(value, bool) or not _DIGITS.fullmatch(text):
        raise ValidationError.field(field, "integer", f"{field} must be a positive integer id")
    digits = text.lstrip("0") or "0"
    # Compared by length first: int() is not asked to parse thousands of digits.
    if len(digits) > len(str(MAX_INTEGER_ID)) or not 1 <= int(digits) <= MAX_INTEGER_ID:
        raise ValidationError.field(
            field, "range", f"{field} must be between 1 and {MAX_INTEGER_ID}"
        )
    return int(digits)
