"""The bodies `/v1/monitors` takes, as models the OpenAPI description is made of: a create body
is one model per monitor kind, told apart by `kind` (a discriminated union), whose `options`
are that kind's probe Options (engine/kinds); a change body has every field optional.

They are built from the service's own `MonitorFields`, so the face accepts what the service
accepts. The service stays the rule: the face checks the body against these models (naming
each field the way the service does) and hands the body on as it came."""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal, Union

import pydantic
from pydantic import BaseModel, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo

from watchwire.api.native.openapi import beyond_schema, body, no_nul_strings
from watchwire.engine.kinds import KINDS
from watchwire.errors import ValidationError
from watchwire.services.monitor_spec import MonitorFields
from watchwire.text import SingleLine

_REF = "#/components/schemas/{model}"
_EXAMPLE = {
    "kind": "http",
    "target": "https://example.com/health",
    "name": "Example",
    "interval": 60,
    "options": {"expected_status": ["200"], "keyword": "ok"},
}


PUBLISHED = (
    "A public status page of this monitor alone exists while true (its URL is "
    "`published_url`); false removes it"
)


def _kind_model(name: str) -> type[BaseModel]:
    kind = KINDS[name]
    options = kind.options_model()
    tag: Any = Literal[name]
    target: Any = (SingleLine, Field(min_length=1, max_length=2048))
    doc = f"A `{name}` monitor; its options are the {kind.probe} probe's."
    if not kind.takes_target:
        target = (
            SingleLine,
            Field(default="", max_length=2048, description="A label (default: the SID)"),
        )
        doc = f"A `{name}` monitor, told by pings to its `ping_url`; `interval` is its period."
    elif kind.target_form is not None:
        # The kind's form of target, stated in the description (the service checks it: a
        # target of another form is a 400 naming `target`, as the description says).
        rule = kind.target_form

        def form_schema(schema: dict[str, Any], pattern: str = rule.schema_pattern) -> None:
            # A callable, like SingleLine's own: pydantic cannot compose a dict with it.
            schema["pattern"] = pattern

        target = (
            SingleLine,
            Field(
                min_length=1,
                max_length=2048,
                description=f"{rule.says[0].upper()}{rule.says[1:]}",
                json_schema_extra=form_schema,
            ),
        )
    model: type[BaseModel] = create_model(
        f"{name.capitalize()}MonitorCreate",
        __base__=MonitorFields,
        __doc__=doc,
        kind=(tag, Field(description="The monitor kind")),
        target=target,
        options=(
            options,
            Field(
                default_factory=dict,
                description=f"The {name} kind's",
                # Options with validators of their own (a status spec, a header name) can
                # refuse what their schema allows: 400 naming `options.<field>`.
                json_schema_extra=beyond_schema("value_error")
                if options.__pydantic_decorators__.field_validators
                else None,
            ),
        ),
        published=(bool, Field(default=False, description=PUBLISHED)),
    )
    return model


def _optional(info: FieldInfo, nullable: bool) -> tuple[Any, FieldInfo]:
    """The field as a change takes it: not required, null only where null means something."""
    changed = copy.copy(info)
    changed.default = None
    changed.default_factory = None
    annotation: Any = info.annotation
    return (annotation | None if nullable else annotation), changed


# Null in a change: `contact_groups` back to the default group, `degraded_ms` off.
_NULLABLE = frozenset({"contact_groups", "degraded_ms"})

_KIND_MODELS: Any = Union[tuple(_kind_model(name) for name in KINDS)]  # noqa: UP007
_DISCRIMINATED: Any = Annotated[_KIND_MODELS, Field(discriminator="kind")]
_CREATE: TypeAdapter[Any] = TypeAdapter(_DISCRIMINATED)
# The validators of MonitorFields run on the fields a change gives (defaults are not checked).
_CHANGE_FIELDS: dict[str, Any] = {
    name: _optional(info, name in _NULLABLE) for name, info in MonitorFields.model_fields.items()
}
_CHANGE: type[BaseModel] = create_model(
    "MonitorChange",
    __base__=MonitorFields,
    __doc__="The fields to change; the others stay. `kind` cannot change; `options` are "
    "checked against the monitor's kind.",
    **_CHANGE_FIELDS,
    published=(bool, Field(default=None, description=PUBLISHED)),
)


CREATE_SCHEMA = body(no_nul_strings(_CREATE.json_schema(ref_template=_REF)), _EXAMPLE)
CHANGE_SCHEMA = body(no_nul_strings(_CHANGE.model_json_schema(ref_template=_REF)), _EXAMPLE)


def _fields_named(exc: pydantic.ValidationError) -> ValidationError:
    """The service's field names: the kind a union member was chosen by is not a field."""
    errors = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            kind = "missing" if err["type"] == "union_tag_not_found" else "literal_error"
            names = ", ".join(repr(name) for name in KINDS)
            err = {**err, "loc": ("kind",), "type": kind, "msg": f"Input should be {names}"}
        elif loc and loc[0] in KINDS:
            err = {**err, "loc": loc[1:]}
        errors.append(err)
    return ValidationError.from_pydantic(errors)


def checked_create(body: dict[str, Any]) -> tuple[dict[str, Any], bool | None]:
    """The monitor's fields for the service, and `published` (None: not given), which is
    the status pages' business."""
    try:
        _CREATE.validate_python(body)
    except pydantic.ValidationError as exc:
        raise _fields_named(exc) from None
    return _published(body)


def checked_change(body: dict[str, Any]) -> tuple[dict[str, Any], bool | None]:
    try:
        _CHANGE.model_validate(body)
    except pydantic.ValidationError as exc:
        raise _fields_named(exc) from None
    return _published(body)


def _published(body: dict[str, Any]) -> tuple[dict[str, Any], bool | None]:
    fields = dict(body)
    published = fields.pop("published", None)
    return fields, published


def create_adapter() -> TypeAdapter[Any]:
    """The create bodies' union, for a schema of a file made of them (`watchwire schema`)."""
    return _CREATE
