"""The forms a monitor kind's target may take, each one regular expression that means the
same in Python (`re.fullmatch`, what the service checks) and in the OpenAPI description
(JSON Schema's ECMA-262 `pattern`, anchored): so a target the description allows is one the
service accepts, and the other way round. Only constructs both dialects read alike are used:
explicit character classes (no `\\d`, `\\s`, `\\w`, which are Unicode-wide in Python),
groups, alternation and counted repeats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A name or an IPv4 literal, or an IPv6 literal in brackets.
_HOST = r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
# 1 to 65535, without leading zeros.
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# What a URL may not hold: a space, a control character, a line or paragraph separator.
_URL_CHARACTER = r"[^ \u0000-\u001f\u007f-\u009f\u2028\u2029]"
_URL_HOST_CHARACTER = r"[^ /?#\u0000-\u001f\u007f-\u009f\u2028\u2029]"


@dataclass(frozen=True, slots=True)
class TargetForm:
    """A target's form: `pattern` (unanchored; matched whole) and the form in words."""

    pattern: str
    says: str
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    @property
    def schema_pattern(self) -> str:
        """The pattern as the OpenAPI description states it (JSON Schema does not anchor)."""
        return f"^{self.pattern}$"

    def problem(self, target: str) -> str | None:
        """Why `target` does not have this form, or None when it does."""
        if self._compiled.fullmatch(target):
            return None
        return f"expected {self.says}, got {target!r}"


HOST_PORT = TargetForm(f"{_HOST}:{_PORT}", "HOST:PORT (a port from 1 to 65535; [IPv6]:PORT)")
HOST_OPTIONAL_PORT = TargetForm(
    f"{_HOST}(?::{_PORT})?", "HOST or HOST:PORT (a port from 1 to 65535; [IPv6] in brackets)"
)
HTTP_URL = TargetForm(
    f"[Hh][Tt][Tt][Pp][Ss]?://{_URL_HOST_CHARACTER}+(?:[/?#]{_URL_CHARACTER}*)?",
    "an http:// or https:// URL",
)
