"""What the http probe expects of a response: status code specs and body matching."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

_STATUS_SPEC: Final = re.compile(r"^(?:([1-5])xx|([1-5]\d\d)(?:-([1-5]\d\d))?)$", re.IGNORECASE)


@lru_cache(maxsize=256)
def parse_status_spec(spec: str) -> tuple[int, int]:
    """`"200"`, `"2xx"` or `"200-299"` as an inclusive (low, high) range; ValueError otherwise."""
    match = _STATUS_SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"{spec!r} is not a status code, a class like 2xx or a range like 200-299")
    klass, low, high = match.groups()
    if klass is not None:
        return int(klass) * 100, int(klass) * 100 + 99
    if high is not None and int(high) < int(low):
        raise ValueError(f"{spec!r}: the range ends before it starts")
    return int(low), int(high or low)


def status_expected(status: int, specs: list[str]) -> bool:
    for spec in specs:
        low, high = parse_status_spec(spec)
        if low <= status <= high:
            return True
    return False


def decode_body(body: bytes, charset: str | None) -> str:
    """The body as text for matching; undecodable bytes become U+FFFD rather than an error."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")
