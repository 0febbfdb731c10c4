"""The parts of an HTTP grade: what was observed of a response, one graded check, a category
of checks and the whole grade. The graders in `_security_checks` and `_hygiene_checks` fill
them; `_grading` adds them up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["info", "warning", "error", "critical"]
HttpForm = Literal["permanent_redirect", "temporary_redirect", "serves_plain", "unreachable"]


@dataclass(frozen=True, slots=True)
class Observation:
    """What the grade is computed from. `headers` keys are matched case-insensitively."""

    url: str
    headers: Mapping[str, str]
    set_cookies: Sequence[str] = ()
    body_bytes: int = 0
    response_ms: float = 0.0
    # How the plain-http form of the site answered; None when it was not checked.
    http_form: HttpForm | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def is_https(self) -> bool:
        return self.url.lower().startswith("https://")


@dataclass(frozen=True, slots=True)
class Check:
    """One graded check: points lost out of its weight, and what to do about it."""

    category: str
    code: str
    weight: int
    lost: int
    severity: Severity
    message: str
    fix: str

    @property
    def passed(self) -> bool:
        return self.lost == 0


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    weight: int
    checks: list[Check] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.weight - sum(check.lost for check in self.checks)


@dataclass(frozen=True, slots=True)
class Grade:
    score: int
    grade: str
    categories: list[Category]

    @property
    def failed(self) -> list[Check]:
        return [c for cat in self.categories for c in cat.checks if not c.passed]


class Checks:
    """Collects the checks of one category."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Check] = []

    def add(
        self, code: str, weight: int, lost: int, severity: Severity, message: str, fix: str
    ) -> None:
        self.items.append(Check(self.name, code, weight, min(lost, weight), severity, message, fix))

    def category(self) -> Category:
        return Category(self.name, sum(c.weight for c in self.items), self.items)
