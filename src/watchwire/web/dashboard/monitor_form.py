"""The monitor form: what it shows for each kind, how its fields become the service's raw
fields, and where the service's validation errors go (next to the field they name).

Every kind gets the common fields and an "other options" JSON box (so every option of every
kind can be set); http and heartbeat monitors get their main options as fields of their own.
Values are handed to the monitor service as typed (numbers as text too): its pydantic rules
are the only rules, so the form accepts exactly what the API accepts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watchwire.engine.kinds import KINDS, get_kind
from watchwire.errors import ValidationError
from watchwire.services.monitor_records import Monitor

OPTIONS_JSON = "options_json"
FORM_LEVEL = "_form"


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the form field, also the service's field name (`options.keyword`)
    label: str
    kind: str = "text"  # text | number | checkbox | select | textarea
    hint: str = ""
    choices: tuple[str, ...] = ()
    # A list the service takes, typed as comma-separated words.
    listed: bool = False
    placeholder: str = ""  # the default, shown while the field is empty


COMMON = (
    Field("name", "Name", hint="What the list shows; the target when empty."),
    Field("target", "Target", hint="What is checked: a URL, host:port, a host name …"),
    Field(
        "interval",
        "Interval (seconds)",
        "number",
        "Time between checks (15 s or more).",
        placeholder="60",
    ),
    Field("timeout", "Timeout (seconds)", "number", "Below the interval.", placeholder="10"),
    Field("confirmations", "Failures before down", "number", placeholder="2"),
    Field("recoveries", "Successes before up", "number", placeholder="1"),
    Field("tags", "Tags", hint="Comma-separated.", listed=True),
)
HEARTBEAT_COMMON = (
    Field("name", "Name"),
    Field("interval", "Period (seconds)", "number", "How often the job pings.", placeholder="60"),
    Field("tags", "Tags", hint="Comma-separated.", listed=True),
)
KIND_OPTIONS: dict[str, tuple[Field, ...]] = {
    "http": (
        Field(
            "options.method",
            "Method",
            "select",
            choices=("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        ),
        Field(
            "options.expected_status",
            "Expected status",
            hint="Codes, classes or ranges, comma-separated: 200, 2xx, 200-299.",
            listed=True,
            placeholder="2xx, 3xx",
        ),
        Field("options.keyword", "Keyword", hint="Text the body must contain (optional)."),
        Field("options.verify_tls", "Verify the TLS certificate", "checkbox"),
    ),
    "heartbeat": (
        Field(
            "options.grace",
            "Grace (seconds)",
            "number",
            "How late a ping may come after its period before the monitor is down.",
            placeholder="60",
        ),
    ),
}
OTHER_OPTIONS = Field(
    OPTIONS_JSON,
    "Other options (JSON)",
    "textarea",
    'Any other option of this kind as a JSON object, e.g. {"headers": {"Accept": "text/html"}}.',
)


def fields_for(kind: str) -> tuple[Field, ...]:
    common = HEARTBEAT_COMMON if get_kind(kind).read_row is not None else COMMON
    return (*common, *KIND_OPTIONS.get(kind, ()), OTHER_OPTIONS)


def kinds() -> tuple[str, ...]:
    return tuple(KINDS)


def _typed(field: Field) -> str:
    return field.name.removeprefix("options.")


def values_of(kind: str, monitor: Monitor | None) -> dict[str, Any]:
    """The form's values: a monitor's as they are, or a new one's (empty: defaults)."""
    if monitor is None:
        values: dict[str, Any] = {"options.verify_tls": True, "options.method": "GET"}
        values[OPTIONS_JSON] = ""
        return values
    values = {
        "name": monitor.name,
        "target": monitor.target,
        "interval": monitor.interval,
        "timeout": monitor.timeout,
        "confirmations": monitor.confirmations,
        "recoveries": monitor.recoveries,
        "tags": ", ".join(monitor.tags),
    }
    typed = {_typed(f) for f in KIND_OPTIONS.get(kind, ())}
    for name in typed:
        if name in monitor.options:
            value = monitor.options[name]
            values["options." + name] = ", ".join(value) if isinstance(value, list) else value
    if "options.verify_tls" not in values and kind == "http":
        values["options.verify_tls"] = True
    rest = {k: v for k, v in monitor.options.items() if k not in typed}
    values[OPTIONS_JSON] = json.dumps(rest, indent=2) if rest else ""
    return values


def raw_fields(kind: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The service's raw fields from a posted form. Raises ValidationError naming
    `options_json` when that box holds no JSON object; every other rule is the service's."""
    raw: dict[str, Any] = {}
    options: dict[str, Any] = {}
    text = str(form.get(OPTIONS_JSON) or "").strip()
    if text:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError.field(
                OPTIONS_JSON, "json", f"Other options: not JSON ({exc.msg})"
            ) from None
        if not isinstance(parsed, dict):
            raise ValidationError.field(OPTIONS_JSON, "json", "Other options: a JSON object")
        options.update(parsed)
    for field in fields_for(kind):
        if field.name == OPTIONS_JSON:
            continue
        if field.kind == "checkbox":
            value: Any = form.get(field.name) == "on"
        else:
            text_value = str(form.get(field.name) or "").strip()
            if not text_value:
                if field.name in ("tags",):
                    raw["tags"] = []
                continue
            value = (
                [part.strip() for part in text_value.split(",") if part.strip()]
                if field.listed
                else text_value
            )
        if field.name.startswith("options."):
            options[_typed(field)] = value
        else:
            raw[field.name] = value
    raw["options"] = options
    return raw


def errors_by_field(kind: str, error: ValidationError) -> dict[str, str]:
    """Each message of the service's error next to the form field it names; what names no
    field of the form (the options box holds the rest of the options) goes to the form."""
    names = {f.name for f in fields_for(kind)}
    placed: dict[str, str] = {}
    for detail in error.details or [{"field": FORM_LEVEL, "message": error.message}]:
        field = str(detail.get("field", ""))
        if field in names:
            target = field
        elif field.startswith("options"):
            head = ".".join(field.split(".")[:2])
            target = head if head in names else OPTIONS_JSON
        else:
            target = FORM_LEVEL
        message = str(detail.get("message", error.message))
        placed[target] = f"{placed[target]} {message}" if target in placed else message
    return placed
