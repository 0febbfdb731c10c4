"""Assertions on an HTTP response, for the api probe: the status, the body, a header, the
response time, or one value of a JSON body named by a path, compared with a value (Gatus'
conditions, Enterno's `assert_body`).

The JSON path is the dotted subset of RFC 9535's singular queries: `$`, then `.name`
(letters, digits, `_`), `['name']` / `["name"]` (any name; `\'`, `\"` and `\\` escaped)
and `[index]` (negative from the end), so `$.data.items[0].id` or `$['content-type'][-1]`.
A path names one value or none; no wildcards, filters or descendants, whose node lists
would leave "equals" undefined (docs/decisions/0022).

How values compare: numbers numerically, and a text that reads as a number counts as that
number against a number (headers are text); anything else by JSON equality, so `true` is not
`"true"`. `contains` is a substring of a text, an element of a list or a key of an object.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import orjson
from pydantic import Field, model_validator

from watchwire.probes.base import ProbeModel, ProbeOptions

Source = Literal["status", "body", "json", "header", "response_time"]
Operator = Literal[
    "==", "!=", "<", "<=", ">", ">=", "contains", "not_contains", "matches", "exists", "not_exists"
]
Scalar = bool | int | float | str | None

_NUMERIC = frozenset({"<", "<=", ">", ">="})
_PRESENCE = frozenset({"exists", "not_exists"})
_TEXTUAL = frozenset({"contains", "not_contains", "matches"})
_OPERATORS: dict[str, frozenset[str]] = {
    "status": frozenset({"==", "!="}) | _NUMERIC,
    "response_time": _NUMERIC | frozenset({"==", "!="}),
    "body": frozenset({"==", "!="}) | _TEXTUAL,
    "header": frozenset({"==", "!="}) | _NUMERIC | _TEXTUAL | _PRESENCE,
    "json": frozenset({"==", "!="}) | _NUMERIC | _TEXTUAL | _PRESENCE,
}
_SHOWN = 100  # characters of an actual value shown in a reason
# RFC 9535's member-name shorthand (ASCII only), an index without leading zeros, and quoted
# names whose only escapes are the quote and the backslash: each means what RFC 9535 says.
_SEGMENT = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | \[(?P<index>0|-?[1-9][0-9]*)\]
      | \['(?P<single>(?:[^'\\]|\\['\\])*)'\]
      | \["(?P<double>(?:[^"\\]|\\["\\])*)"\]""",
    re.VERBOSE,
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[str | int, ...]:
    """The keys and indexes of a path; ValueError saying where it stops making sense."""
    if not path.startswith("$"):
        raise ValueError(f"a JSON path starts with $, like $.data.id; got {path!r}")
    steps: list[str | int] = []
    at = 1
    while at < len(path):
        match = _SEGMENT.match(path, at)
        if match is None:
            raise ValueError(f"cannot read the JSON path {path!r} from {path[at:]!r} on")
        if match["name"] is not None:
            steps.append(match["name"])
        elif match["index"] is not None:
            steps.append(int(match["index"]))
        else:
            quoted = match["single"] if match["single"] is not None else match["double"]
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        at = match.end()
    return tuple(steps)


def resolve(document: Any, steps: tuple[str | int, ...]) -> Any:
    """The value the path names in `document`, or MISSING."""
    value = document
    for step in steps:
        if isinstance(step, int) and isinstance(value, list):
            if not -len(value) <= step < len(value):
                return MISSING
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict):
            if step not in value:
                return MISSING
            value = value[step]
        else:
            return MISSING
    return value


class Assertion(ProbeOptions):
    """One condition the response must meet."""

    source: Source
    path: str | None = Field(default=None, description="json: the value's path, like $.data.id")
    name: str | None = Field(default=None, min_length=1, description="header: its name")
    op: Operator = "=="
    value: Scalar = Field(default=None, description="what the actual value is compared with")

    @model_validator(mode="after")
    def _consistent(self) -> Assertion:
        if (self.source == "json") != (self.path is not None):
            raise ValueError("path is given for a json assertion, and only for one")
        if (self.source == "header") != (self.name is not None):
            raise ValueError("name is given for a header assertion, and only for one")
        if self.path is not None:
            parse_path(self.path)
        if self.op not in _OPERATORS[self.source]:
            allowed = ", ".join(sorted(_OPERATORS[self.source]))
            raise ValueError(f"a {self.source} assertion takes {allowed}, not {self.op}")
        if self.op in _NUMERIC and not _is_number(self.value):
            raise ValueError(f"{self.op} compares with a number")
        if self.op == "matches":
            if not isinstance(self.value, str):
                raise ValueError("matches takes a regular expression as its value")
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        if self.op in ("contains", "not_contains") and self.value is None:
            raise ValueError(f"{self.op} needs a value")
        return self

    def describe(self) -> str:
        """The assertion as a person reads it: `json $.status == "ok"`."""
        subject = {"json": f"json {self.path}", "header": f"header {self.name}"}.get(
            self.source, self.source
        )
        if self.op in _PRESENCE:
            return f"{subject} {self.op}"
        return f"{subject} {self.op} {_show(self.value)}"


class AssertionOutcome(ProbeModel):
    """How one assertion went: `actual` is the value compared (None when there was none)."""

    assertion: str
    passed: bool
    actual: Any = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """What the assertions look at."""

    status: int
    headers: dict[str, str]
    text: str
    truncated: bool
    total_ms: float


def check_all(assertions: list[Assertion], response: Response) -> list[AssertionOutcome]:
    """Every assertion against the response, in order (the body is parsed once)."""
    document: list[Any] = []  # parsed on first use; [MISSING] when not JSON
    outcomes = []
    for assertion in assertions:
        described = assertion.describe()
        actual = _actual(assertion, response, document)
        if isinstance(actual, _Problem):
            passed, why, actual = False, actual.why, MISSING
        else:
            passed, why = _compare(assertion, actual)
        outcomes.append(
            AssertionOutcome.unvalidated(
                assertion=described,
                passed=passed,
                actual=None if actual is MISSING else actual,
                message=None if passed else f"{described} failed: {why}",
            )
        )
    return outcomes


@dataclass(frozen=True, slots=True)
class _Problem:
    why: str


def _actual(assertion: Assertion, response: Response, document: list[Any]) -> Any:
    source = assertion.source
    if source == "status":
        return response.status
    if source == "response_time":
        return response.total_ms
    if source == "body":
        return response.text
    if source == "header":
        wanted = (assertion.name or "").lower()
        return next((v for k, v in response.headers.items() if k.lower() == wanted), MISSING)
    if not document:
        try:
            document.append(orjson.loads(response.text))
        except orjson.JSONDecodeError:
            document.append(MISSING)
    if document[0] is MISSING:
        if response.truncated:
            return _Problem("the body was cut at max_body_bytes, so it is not whole JSON")
        return _Problem(f"the body is not JSON (it begins {_show(response.text[:40])})")
    return resolve(document[0], parse_path(assertion.path or "$"))


def _compare(assertion: Assertion, actual: Any) -> tuple[bool, str]:
    """Whether `actual` meets the assertion, and the words for when it does not."""
    op, expected = assertion.op, assertion.value
    if op == "exists":
        return actual is not MISSING, "there is no such value"
    if op == "not_exists":
        return actual is MISSING, f"the value is {_show(actual)}"
    if actual is MISSING:
        return False, "there is no such value"
    seen = f"the value is {_show(actual)}"
    if op in ("==", "!="):
        return _equal(actual, expected) == (op == "=="), seen
    if op in _NUMERIC:
        number = _as_number(actual)
        if number is None:
            return False, f"{seen}, not a number"
        limit = float(expected)  # type: ignore[arg-type]  # a number: the model checks
        passed = {"<": number < limit, "<=": number <= limit, ">": number > limit}.get(
            op, number >= limit
        )
        return passed, seen
    if op == "matches":
        text = actual if isinstance(actual, str) else _show(actual)
        return re.search(str(expected), text) is not None, seen
    found = _contains(actual, expected)
    if found is None:
        return False, f"{seen}, which is neither text, a list nor an object"
    return found == (op == "contains"), seen


def _contains(actual: Any, expected: Scalar) -> bool | None:
    if isinstance(actual, str):
        return str(expected) in actual if not isinstance(expected, str) else expected in actual
    if isinstance(actual, list):
        return any(_equal(item, expected) for item in actual)
    if isinstance(actual, dict):
        return isinstance(expected, str) and expected in actual
    return None


def _equal(actual: Any, expected: Scalar) -> bool:
    if _is_number(expected):
        number = _as_number(actual)
        return number is not None and number == float(expected)  # type: ignore[arg-type]
    if _is_number(actual) or isinstance(actual, bool) != isinstance(expected, bool):
        return False
    return bool(actual == expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_number(value: Any) -> float | None:
    """A number, or a text that reads as a finite one (a header, a quoted JSON number)."""
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _show(value: Any) -> str:
    """A value as JSON text, cut to a readable length."""
    if value is MISSING:
        return "missing"
    try:
        text = orjson.dumps(value).decode()
    except TypeError:  # an integer wider than 64 bits
        text = str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
