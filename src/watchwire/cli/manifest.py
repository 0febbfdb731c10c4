"""The file `watchwire apply` reads and `watchwire export` writes (YAML or JSON), checked
before anything is sent, and its JSON Schema (`watchwire schema`).

    version: 1
    contacts:      [{name, type, contact, args, …}]        the API's create bodies,
    webhooks:      [{name, url, events, format, …}]        each with a `name`, which is
    monitors:      [{name, kind, target, interval, …}]     how apply matches resources
    status_pages:  [{name, components: [{monitor: NAME, group}], …}]

Where the API takes SIDs the file may name resources instead: a monitor's `recipients`
are contact or webhook names (or SIDs), a status page's components `{monitor: NAME}` (or
`{sid: SID}` for a resource the file does not hold). A section left out is not managed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from watchwire.api.native import contact_bodies, monitor_bodies
from watchwire.api.native.status_page_bodies import PageCreate
from watchwire.api.native.webhooks import WebhookCreate
from watchwire.errors import ValidationError, WatchwireError

SECTIONS = ("contacts", "webhooks", "monitors", "status_pages")


class ComponentRef(BaseModel):
    """A status page's component: a monitor of the file (or account) by name, or any
    resource by SID."""

    model_config = ConfigDict(extra="forbid")

    monitor: str | None = Field(default=None, min_length=1, description="A monitor's name")
    sid: str | None = Field(
        default=None, description="A monitor, certificate, domain or RBL host SID"
    )
    group: str | None = Field(default=None, description="One of the page's `groups`")

    @pydantic.model_validator(mode="after")
    def _one(self) -> ComponentRef:
        if (self.monitor is None) == (self.sid is None):
            raise ValueError("give one of monitor (a name) or sid")
        return self


class Manifest(BaseModel):
    """The whole file; each section a list of the API's create bodies with a name."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    contacts: list[dict[str, Any]] | None = None
    webhooks: list[dict[str, Any]] | None = None
    monitors: list[dict[str, Any]] | None = None
    status_pages: list[dict[str, Any]] | None = None

    def section(self, name: str) -> list[dict[str, Any]] | None:
        value: list[dict[str, Any]] | None = getattr(self, name)
        return value


def load_document(path: Path) -> Any:
    """A YAML (or JSON, which is YAML) document; ValidationError naming the file."""
    import yaml

    try:
        text = path.read_text()
    except OSError as exc:
        raise ValidationError.field("file", "exists", f"{path}: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        raise ValidationError.field("file", "format", f"{path}:{where}: {problem}") from None


def _first(where: str, exc: WatchwireError, sep: str = ".") -> ValidationError:
    """One line for a problem: where in the file, the field and the rule."""
    details = exc.details if isinstance(exc.details, list) else []
    messages = [str(d.get("message", "")) for d in details] or [exc.message]
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return ValidationError(f"{where}{sep}{messages[0]}{more}", details=details)


def _pydantic(where: str, check: type[BaseModel], body: dict[str, Any]) -> None:
    try:
        check.model_validate(body)
    except pydantic.ValidationError as exc:
        raise _first(where, ValidationError.from_pydantic(exc.errors())) from None


def _check_monitor(where: str, entry: dict[str, Any]) -> None:
    recipients = entry.get("recipients")
    if recipients is not None and (
        not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients)
    ):
        raise ValidationError(f"{where}.recipients: a list of contact or webhook names or SIDs")
    body = {k: v for k, v in entry.items() if k != "recipients"}
    try:
        monitor_bodies.checked_create(body)
    except ValidationError as exc:
        raise _first(where, exc) from None


def _check_contact(where: str, entry: dict[str, Any]) -> None:
    try:
        contact_bodies.checked_shape(entry)
    except ValidationError as exc:
        raise _first(where, exc) from None


def _check_page(where: str, entry: dict[str, Any]) -> None:
    components = entry.get("components") or []
    if not isinstance(components, list):
        raise ValidationError(f"{where}.components: a list of {{monitor: NAME, group}}")
    for index, component in enumerate(components):
        if not isinstance(component, dict):
            raise ValidationError(f"{where}.components[{index}]: an object {{monitor: NAME}}")
        _pydantic(f"{where}.components[{index}]", ComponentRef, component)
    _pydantic(where, PageCreate, {k: v for k, v in entry.items() if k != "components"})


_CHECKS = {
    "contacts": _check_contact,
    "webhooks": lambda where, entry: _pydantic(where, WebhookCreate, entry),
    "monitors": _check_monitor,
    "status_pages": _check_page,
}


def parse(document: Any, source: str) -> Manifest:
    """The file's manifest, every entry checked against the API's own body models;
    ValidationError whose message is one line: `FILE: section[i].field: rule`."""
    if document is None:
        document = {}
    try:
        manifest = Manifest.model_validate(document)
    except pydantic.ValidationError as exc:
        raise _first(f"{source}: ", ValidationError.from_pydantic(exc.errors()), "") from None
    for section in SECTIONS:
        seen: set[str] = set()
        for index, entry in enumerate(manifest.section(section) or []):
            where = f"{source}: {section}[{index}]"
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ValidationError(f"{where}.name: required (resources are matched by name)")
            if name in seen:
                raise ValidationError(f"{where}.name: {name!r} is in {section} twice")
            seen.add(name)
            _CHECKS[section](where, entry)
    return manifest


def read(path: Path) -> Manifest:
    return parse(load_document(path), str(path))


def _schema_of(adapter: Any) -> dict[str, Any]:
    schema: dict[str, Any] = adapter.json_schema(ref_template="#/$defs/{model}")
    return schema


def json_schema() -> dict[str, Any]:
    """The file's JSON Schema (2020-12): the API's create bodies with `name` required and the
    references by name."""
    defs: dict[str, Any] = {}

    def lift(schema: dict[str, Any]) -> dict[str, Any]:
        defs.update(schema.pop("$defs", {}))
        return schema

    monitor = lift(_schema_of(monitor_bodies.create_adapter()))
    for model in defs.values():
        if "kind" in model.get("properties", {}) and "recipients" in model["properties"]:
            model["properties"]["recipients"] = {
                "type": "array",
                "items": {"type": "string"},
                "description": "Contact or webhook names (or SIDs) told alone",
            }
    contact = lift(_schema_of(contact_bodies.create_adapter()))
    webhook = lift(WebhookCreate.model_json_schema(ref_template="#/$defs/{model}"))
    page = lift(PageCreate.model_json_schema(ref_template="#/$defs/{model}"))
    page["properties"]["components"] = {
        "type": "array",
        "items": lift(ComponentRef.model_json_schema(ref_template="#/$defs/{model}")),
    }

    def named(schema: dict[str, Any]) -> dict[str, Any]:
        name = {"name": {"type": "string", "minLength": 1, "description": "How apply matches it"}}
        return {"allOf": [schema, {"required": ["name"], "properties": name}]}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "watchwire apply file",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "version": {"const": 1},
            "contacts": {"type": "array", "items": named(contact)},
            "webhooks": {"type": "array", "items": named(webhook)},
            "monitors": {"type": "array", "items": named(monitor)},
            "status_pages": {"type": "array", "items": named(page)},
        },
        "$defs": defs,
    }


def dump(document: dict[str, Any], as_json: bool = False) -> str:
    if as_json:
        return json.dumps(document, indent=2) + "\n"
    import yaml

    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
