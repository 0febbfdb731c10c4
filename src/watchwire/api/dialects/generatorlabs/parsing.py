"""Reading Generator Labs 4.0 requests: form-urlencoded or JSON bodies, comma-separated
lists, every boolean spelling clients send, and 003's id patterns.

Every rule broken raises ValidationError naming the field and the rule; unknown fields are
ignored, as 003's clients send whatever their version knows.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from watchwire.errors import ValidationError
from watchwire.ids import sid_pattern

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
# `args[url]=…` (PHP/Rails style) is how form clients send an object.
_BRACKETED = re.compile(r"^(?P<name>[A-Za-z_]+)\[(?P<key>[^\]]*)\]$")


def invalid(field: str, rule: str, message: str) -> ValidationError:
    return ValidationError.field(field, rule, message)


def pattern_of(kind: str) -> str:
    return sid_pattern(kind).pattern


def check_sid(field: str, kind: str, value: str) -> str:
    if not sid_pattern(kind).match(value):
        raise invalid(field, "pattern", f"{field} must match {pattern_of(kind)}")
    return value


def path_sid(kind: str, value: str) -> str:
    """A path id checked against 003's pattern for its resource."""
    return check_sid("id", kind, value)


class Fields:
    """The parameters of one request, whatever way they came."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return name in self.values and self.values[name] is not None

    def subset(
        self, names: tuple[str, ...], renames: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The named fields that are present, under the service's names (`renames`), for a
        service that takes a dictionary; every other field is left out (ignored)."""
        renames = renames or {}
        return {renames.get(n, n): self.values[n] for n in names if self.has(n)}

    def text(self, name: str, *, required: bool = False, max_length: int = 1024) -> str | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise invalid(name, "required", f"{name} is required")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise invalid(name, "string", f"{name} must be a string")
        text = str(value).strip()
        if len(text) > max_length:
            raise invalid(name, "max_length", f"{name} must be at most {max_length} characters")
        return text

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            raise invalid(name, "enum", f"{name} must be one of {', '.join(options)}")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return value
        spelled = str(value).strip().lower()
        if spelled in _TRUE:
            return True
        if spelled in _FALSE:
            return False
        raise invalid(name, "boolean", f"{name} must be a boolean (true/false, 1/0)")

    def integer(self, name: str, default: int, *, minimum: int = 1) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            raise invalid(name, "integer", f"{name} must be an integer") from None
        if number < minimum:
            raise invalid(name, "minimum", f"{name} must be {minimum} or more")
        return number

    def items(self, name: str) -> list[str] | None:
        """A comma-separated list (or a JSON array), without blanks; None when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        parts = value if isinstance(value, list) else str(value).split(",")
        return [str(p).strip() for p in parts if str(p).strip()]

    def sids(self, name: str, kind: str, *, required: bool = False) -> list[str] | None:
        """A comma-separated list of SIDs of one kind, each checked against its pattern."""
        values = self.items(name)
        if not values:
            if required:
                raise invalid(name, "required", f"{name} is required")
            return None if values is None else []
        for index, value in enumerate(values):
            check_sid(f"{name}[{index}]", kind, value)
        return values

    def mapping(self, name: str) -> dict[str, Any] | None:
        """An object: JSON, a JSON string, or bracketed form keys (`args[url]=…`)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            return value
        if isinstance(value, str):
            try:
                decoded = orjson.loads(value)
            except orjson.JSONDecodeError:
                decoded = None
            if isinstance(decoded, dict):
                return decoded
        raise invalid(name, "object", f"{name} must be an object")


def _from_form(body: bytes) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if match := _BRACKETED.match(key):
            nested = values.setdefault(match["name"], {})
            if isinstance(nested, dict):
                nested[match["key"]] = value
            continue
        values[key] = value
    return values


async def read_fields(request: Request) -> Fields:
    """Query parameters, overridden by the body (form-urlencoded, or JSON when the request
    says so or the body is an object)."""
    values: dict[str, Any] = _from_form(request.url.query.encode())
    body = await request.body()
    if not body.strip():
        return Fields(values)
    content_type = request.headers.get("content-type", "").lower()
    if "json" in content_type or body.lstrip()[:1] == b"{":
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise invalid("body", "json", "the request body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise invalid("body", "object", "the JSON body must be an object")
        values.update(decoded)
    else:
        values.update(_from_form(body))
    return Fields(values)
