"""`FIELD=VALUE` arguments of `add` and `edit`, the way httpie reads them: `name=site` is
text, `interval:=60` is JSON (numbers, true/false, null, lists, objects); a dotted field
(`options.keyword=ok`) sets a key inside an object."""

from __future__ import annotations

import json
from typing import Any

from watchwire.errors import ValidationError


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """The body the arguments make; ValidationError naming the argument that is not one."""
    body: dict[str, Any] = {}
    for given in assignments:
        text_sep, json_sep = given.find("="), given.find(":=")
        if json_sep != -1 and (text_sep == -1 or json_sep < text_sep):
            name, raw = given[:json_sep], given[json_sep + 2 :]
            try:
                value: Any = json.loads(raw)
            except ValueError:
                raise ValidationError.field(
                    name, "format", f"{name}: {raw!r} is not JSON (use {name}=TEXT for text)"
                ) from None
        elif text_sep != -1:
            name, value = given[:text_sep], given[text_sep + 1 :]
        else:
            raise ValidationError.field(
                given, "format", f"{given!r}: expected FIELD=TEXT or FIELD:=JSON"
            )
        if not name or any(not part for part in name.split(".")):
            raise ValidationError.field(given, "format", f"{given!r}: the field name is empty")
        *parents, last = name.split(".")
        into = body
        for part in parents:
            nested = into.setdefault(part, {})
            if not isinstance(nested, dict):
                raise ValidationError.field(name, "format", f"{name}: {part} is not an object")
            into = nested
        into[last] = value
    return body
