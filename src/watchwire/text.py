"""Which characters a text value may hold; the one rule every face applies.

- **NUL (U+0000) nowhere.** PostgreSQL cannot store it in text (SQLite can), so letting it
  through made the same request a 500 on one storage and a stored row on the other.
- **No control character (Unicode Cc: U+0000 to U+001F, U+007F to U+009F) and no line or
  paragraph separator (U+2028, U+2029) in single-line text**: names, targets, hosts, ids,
  tags, URLs, path ids and query parameters, where a tab or an escape makes no sense and
  would only reach logs, DNS names and URLs unseen. Free text (a request body to send, a
  keyword to look for, a record value) may hold tabs and newlines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from watchwire.errors import ValidationError

RULE = "control_character"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(value: str) -> str | None:
    """The first character single-line text may not hold, as `U+XXXX`, or None."""
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def control_message(character: str) -> str:
    return f"must be one line of printable text (it holds {character})"


def refuse_control_characters(value: str, field: str) -> str:
    """`value` unchanged; raises ValidationError naming `field` if it holds a control character."""
    character = control_character(value)
    if character is not None:
        raise ValidationError.field(field, RULE, f"{field}: {control_message(character)}")
    return value


def _single_line(value: str) -> str:
    character = control_character(value)
    if character is not None:
        raise PydanticCustomError(RULE, control_message(character))
    return value


# The same rule as a JSON Schema pattern, for the OpenAPI description (schema only: the
# validator above gives the error its type).
NO_NUL_PATTERN = r"^[^\u0000]*$"
"""The rule every string follows, for a description that states it."""
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"


def _one_line_schema(schema: dict[str, Any]) -> None:
    """The pattern in the schema, beside a field's own pattern (which it must not replace:
    both rules hold)."""
    own = schema.get("pattern")
    if own is None or own == ONE_LINE_PATTERN:
        schema["pattern"] = ONE_LINE_PATTERN
    elif {"pattern": ONE_LINE_PATTERN} not in schema.get("allOf", []):
        schema.setdefault("allOf", []).append({"pattern": ONE_LINE_PATTERN})


SingleLine = Annotated[str, AfterValidator(_single_line), Field(json_schema_extra=_one_line_schema)]


def matching(pattern: str, **constraints: Any) -> Any:
    """The field of a `SingleLine` that also matches `pattern`: `Annotated[SingleLine,
    matching(r"\\S")]`. Pydantic checks the pattern but leaves it out of the JSON Schema of a
    validated type, so it is written there by hand, beside the one-line pattern."""

    def schema_of(schema: dict[str, Any]) -> None:
        schema["pattern"] = pattern
        _one_line_schema(schema)

    return Field(pattern=pattern, json_schema_extra=schema_of, **constraints)


"""A pydantic `str` that refuses control characters (error type `control_character`)."""


def nul_location(value: Any, path: str = "") -> str | None:
    """The dotted path (`options.headers.X`, `tags.0`) of the first NUL in a JSON value's
    strings or keys, `body` for the value itself, or None when there is none."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            found = nul_location(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_location(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
