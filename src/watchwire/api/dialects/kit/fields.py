"""Typed readers over the parameters of one dialect request, whatever way they came.

`Fields` holds what `bodies.read_fields` collected: strings from query strings and forms,
lists from Rails-style `name[]=` pairs, maps from `name[key]=` pairs, and any JSON value.
Each reader returns one typed value or raises `ValidationError` with exactly one detail
naming the field and the rule it broke (`required`, `string`, `max_length`, `control`,
`enum`, `boolean`, `integer`, `minimum`, `maximum`, `list`, `object`, `pattern`). Fields
nobody reads are ignored: dialect clients send whatever their version knows.

Every string a reader returns is free of NUL and of the other control characters (a
multi-line text may keep tabs and line breaks): PostgreSQL refuses NUL outright, and in
names, targets and ids a control character is never what the client meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from watchwire.api.dialects.kit.ids import check_sid
from watchwire.errors import ValidationError

TRUE_SPELLINGS = frozenset({"true", "1", "yes", "on", "t"})
# An empty value is false: an HTML form's unchecked box, `flag=`.
FALSE_SPELLINGS = frozenset({"false", "0", "no", "off", "f", ""})
# The largest integer the databases store (BIGINT): no reader returns one beyond it.
MAX_INTEGER = 2**63 - 1
_DIGITS = len(str(MAX_INTEGER))
DEFAULT_MAX_LENGTH = 1024
# More than any list a client means to send; fewer than a database takes as parameters.
MAX_ITEMS = 1000
# Longer than any SID (2 + 64 characters): a longer value fails its pattern anyway.
_SID_MAX_LENGTH = 128

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INDEX = re.compile(r"[0-9]+")


def invalid(field: str, rule: str, message: str) -> ValidationError:
    return ValidationError.field(field, rule, message)


def clean_text(field: str, text: str, *, lines: bool = False) -> str:
    """`text` itself, or ValidationError(`control`) when it holds a control character."""
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(text):
        raise invalid(field, "control", f"{field} must not contain control characters")
    return text


def _scalar(field: str, value: Any) -> str:
    """A string, or a JSON number, as text; anything else (lists, maps, booleans) refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(field, "string", f"{field} must be a string")
    return str(value)


def _clean_tree(field: str, value: Any) -> Any:
    """A JSON value with every key and string checked for control characters."""
    if isinstance(value, str):
        return clean_text(field, value, lines=True)
    if isinstance(value, dict):
        return {clean_text(field, str(k)): _clean_tree(f"{field}.{k}", v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(f"{field}[{i}]", v) for i, v in enumerate(value)]
    return value


class Fields:
    """The parameters of one request and the typed readers over them."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    @staticmethod
    def present(chosen: Mapping[str, Any]) -> dict[str, Any]:
        """`chosen` without the entries whose reader found nothing (None): the fields to
        hand a service that takes a dictionary of what the client sent."""
        return {name: value for name, value in chosen.items() if value is not None}

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int = DEFAULT_MAX_LENGTH,
        lines: bool = False,
    ) -> str | None:
        """A string without surrounding blanks; None when absent or blank. A number sent
        in JSON is read as its text. `lines`: tabs and line breaks are allowed."""
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise invalid(name, "required", f"{name} is required")
            return None
        text = _scalar(name, value).strip()
        if len(text) > max_length:
            raise invalid(name, "max_length", f"{name} must be at most {max_length} characters")
        return clean_text(name, text, lines=lines)

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            raise invalid(name, "enum", f"{name} must be one of {', '.join(options)}")
        return value

    def boolean(self, name: str) -> bool | None:
        """True or False in any spelling clients send (true/false, 1/0, yes/no, on/off, t/f,
        in any case; empty is false); None when absent."""
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return value
        spelled = str(value).strip().lower() if isinstance(value, str | int) else None
        if spelled in TRUE_SPELLINGS:
            return True
        if spelled in FALSE_SPELLINGS:
            return False
        raise invalid(name, "boolean", f"{name} must be a boolean (true/false, 1/0)")

    def integer(
        self, name: str, default: int, *, minimum: int = 1, maximum: int = MAX_INTEGER
    ) -> int:
        """A whole number within [minimum, maximum] written in ASCII digits (a JSON integer
        too); `default` when absent or empty."""
        number = self.optional_integer(name, minimum=minimum, maximum=maximum)
        return default if number is None else number

    def optional_integer(
        self, name: str, *, minimum: int = 1, maximum: int = MAX_INTEGER
    ) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise invalid(name, "integer", f"{name} must be an integer")
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise invalid(name, "integer", f"{name} must be an integer")
        negative = text.startswith("-")
        digits = text.lstrip("+-").lstrip("0") or "0"
        # Refused by its length before int() parses it: a number of thousands of digits.
        if len(digits) > _DIGITS:
            if negative:
                raise invalid(name, "minimum", f"{name} must be {minimum} or more")
            raise invalid(name, "maximum", f"{name} must be {maximum} or less")
        number = -int(digits) if negative else int(digits)
        if number < minimum:
            raise invalid(name, "minimum", f"{name} must be {minimum} or more")
        if number > maximum:
            raise invalid(name, "maximum", f"{name} must be {maximum} or less")
        return number

    def items(
        self, name: str, *, max_length: int = DEFAULT_MAX_LENGTH, max_items: int = MAX_ITEMS
    ) -> list[str] | None:
        """A list without blanks, sent as a comma-separated string, a JSON array, Rails'
        `name[]=a&name[]=b` or PHP's `name[0]=a&name[1]=b`, of at most `max_items`; None
        when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, dict):
            if not all(_INDEX.fullmatch(str(key)) for key in value):
                raise invalid(name, "list", f"{name} must be a list")
            value = [value[key] for key in sorted(value, key=int)]
        parts = value if isinstance(value, list) else _scalar(name, value).split(",")
        if len(parts) > max_items:
            raise invalid(name, "max_items", f"{name} must have at most {max_items} items")
        chosen = []
        for index, part in enumerate(parts):
            field = f"{name}[{index}]"
            text = _scalar(field, part).strip()
            if len(text) > max_length:
                raise invalid(
                    field, "max_length", f"{field} must be at most {max_length} characters"
                )
            if text:
                chosen.append(clean_text(field, text))
        return chosen

    def sid(self, name: str, kind: str, *, required: bool = False) -> str | None:
        """One SID of `kind`, checked against its pattern; None when absent or blank."""
        value = self.text(name, required=required, max_length=_SID_MAX_LENGTH)
        return None if value is None else check_sid(name, kind, value)

    def sids(self, name: str, kind: str, *, required: bool = False) -> list[str] | None:
        """A list (as `items` reads one) of SIDs of one kind, each checked against its
        pattern; None when absent, [] when sent empty."""
        values = self.items(name)
        if not values:
            if required:
                raise invalid(name, "required", f"{name} is required")
            return values
        for index, value in enumerate(values):
            check_sid(f"{name}[{index}]", kind, value)
        return values

    def mapping(self, name: str) -> dict[str, Any] | None:
        """An object: JSON, a JSON string, or bracketed form keys (`args[url]=…`); None when
        absent or empty."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                value = None
        if not isinstance(value, dict):
            raise invalid(name, "object", f"{name} must be an object")
        cleaned: dict[str, Any] = _clean_tree(name, value)
        return cleaned
