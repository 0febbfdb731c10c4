"""Reading the fields of blocklist requests the way 003 sends them (lists as JSON arrays or
comma-separated strings, booleans as words or digits), with errors naming the field."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from watchwire.errors import ValidationError
from watchwire.probes.rbl.query import normalise_domain
from watchwire.text import refuse_control_characters

HOST_FIELDS = frozenset({"host", "name", "profile", "contact_groups", "tags"})
PROFILE_FIELDS = frozenset({"name", "entries", "is_default", "frequency", "sync_method"})
SOURCE_FIELDS = frozenset({"host", "type", "custom_codes"})


def split_list(value: Any, field: str) -> list[str] | None:
    """A list given as a JSON array or as 003's comma-separated string (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ValidationError.field(field, "type", f"{field} must be a list of strings")


def unknown_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    for name in fields:
        if name not in allowed:
            raise ValidationError.field(name, "unknown", f"unknown field {name!r}")


def name_of(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 255:
        raise ValidationError.field(field, "length", f"{field} must be 1 to 255 characters")
    return refuse_control_characters(value.strip(), field)


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ValidationError.field(field, "type", f"{field} must be true or false")


def choice(value: Any, field: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValidationError.field(field, "enum", f"{field} must be one of {', '.join(allowed)}")
    return str(value)


def tags_of(value: Any) -> list[str]:
    tags = split_list(value, "tags") or []
    if len(tags) > 50 or any(len(t) > 64 for t in tags):
        raise ValidationError.field("tags", "length", "at most 50 tags of 64 characters")
    for index, tag in enumerate(tags):
        refuse_control_characters(tag, f"tags.{index}")
    return list(dict.fromkeys(tags))


def custom_codes_of(value: Any) -> list[str]:
    codes = split_list(value, "custom_codes") or []
    checked = []
    for index, code in enumerate(codes):
        try:
            address = ipaddress.IPv4Address(code)
        except ValueError:
            address = None
        if address is None or not address.is_loopback:
            raise ValidationError.field(
                f"custom_codes[{index}]", "format", f"{code!r} is not a 127.0.0.0/8 address"
            )
        checked.append(str(address))
    return list(dict.fromkeys(checked))


def zone_of(value: Any) -> str:
    try:
        return normalise_domain(refuse_control_characters(str(value or ""), "host"))
    except ValueError as exc:
        raise ValidationError.field("host", "format", str(exc)) from exc
