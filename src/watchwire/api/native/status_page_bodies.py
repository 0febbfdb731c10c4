"""The bodies `/v1/status-pages` and its notices take, as models the OpenAPI description is
made of, with the service's rules (services/status_pages/records.py) written as patterns and
enums: an IANA time zone, a host name, an http(s) URL, the states of each notice type.

What JSON Schema cannot say is marked `x-watchwire-rules` (api/native/openapi.py): components
that must be the account's, a component's group that must be one of the page's, notice
components that must be on the page, an end not before the start, an update's state that
must be one of its notice's type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union
from zoneinfo import available_timezones

import pydantic
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from watchwire.api.native.openapi import beyond_schema, body, sid_of
from watchwire.errors import ValidationError
from watchwire.services.status_pages.records import MAX_COMPONENTS, MAX_GROUPS, MAX_MESSAGE
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.services.status_pages.view import IncidentState, MaintenanceState
from watchwire.text import SingleLine, matching

_REF = "#/components/schemas/{model}"
_CONTROL = r"\u0000-\u001f\u007f-\u009f\u2028\u2029"
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"

Text = Annotated[str, Field(max_length=MAX_MESSAGE, description="Markdown, shown escaped")]
Name = Annotated[SingleLine, matching(r"\S", min_length=1, max_length=255)]
GroupName = Annotated[SingleLine, matching(r"^\S(.*\S)?$", max_length=255)]
# The names the system's time-zone database holds: each one `ZoneInfo` opens.
TimeZone = Annotated[
    str,
    Field(
        max_length=64,
        description="An IANA time zone name",
        json_schema_extra={"enum": sorted(available_timezones())},
    ),
]
HostName = Annotated[
    str,
    Field(
        pattern=rf"^({_LABEL}(\.{_LABEL})+)?$",
        max_length=253,
        description="A host name such as status.example.com; empty: none",
    ),
]
LogoUrl = Annotated[
    str,
    Field(
        pattern=rf"^(https?://[^\s<>\"'{_CONTROL}]+)?$",
        max_length=2048,
        description="An http:// or https:// URL; empty: none",
    ),
]
ComponentSid = Annotated[str, sid_of("monitor", "cert_monitor", "domain", "rbl_host")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComponentBody(_Body):
    sid: ComponentSid = Field(
        description="A monitor, certificate, domain or RBL host SID of the account",
        json_schema_extra=beyond_schema("not_found"),
    )
    group: GroupName | None = Field(
        default=None, description="One of `groups`", json_schema_extra=beyond_schema("not_found")
    )


class PageChange(_Body):
    """The fields to change; the others stay."""

    name: Name | None = None
    description: Text | None = None
    components: list[ComponentBody] | None = Field(
        default=None,
        max_length=MAX_COMPONENTS,
        description="Each SID once",
        json_schema_extra=beyond_schema("not_found", "unique"),
    )
    groups: list[GroupName] | None = Field(
        default=None, max_length=MAX_GROUPS, json_schema_extra={"uniqueItems": True}
    )
    visibility: Literal["public", "protected", "private"] | None = Field(
        default=None, description="protected: visitors give the access_key"
    )
    access_key: SingleLine | None = Field(default=None, min_length=8, max_length=255)
    title: SingleLine | None = Field(default=None, max_length=255)
    logo_url: LogoUrl | None = None
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    footer: Text | None = None
    timezone: TimeZone | None = None
    custom_domain: HostName | None = None

    def fields(self) -> PageFields:
        values: dict[str, Any] = self.model_dump(exclude={"components"})
        components = (
            [ComponentInput(c.sid, c.group) for c in self.components]
            if self.components is not None
            else None
        )
        return PageFields(components=components, **values)


class PageCreate(PageChange):
    """A new page; a protected one needs its access_key."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {
                "properties": {"visibility": {"const": "protected"}},
                "required": ["visibility"],
            },
            "then": {"required": ["access_key"]},
        }
    )

    name: Name


NoticeSids = Annotated[
    list[ComponentSid],
    Field(
        max_length=MAX_COMPONENTS,
        description="Components of the page",
        json_schema_extra=beyond_schema("not_found"),
    ),
]
StartsAt = Annotated[datetime | None, Field(description="Default: now")]
EndsAt = Annotated[
    datetime | None,
    Field(description="Not before starts_at", json_schema_extra=beyond_schema("order")),
]


class IncidentCreate(_Body):
    type: Literal["incident"] = "incident"
    title: Name
    message: Text = ""
    state: IncidentState = "investigating"
    starts_at: StartsAt = None
    ends_at: EndsAt = Field(default=None, description="Default: when resolved")
    components: NoticeSids = Field(default_factory=list)


class MaintenanceCreate(_Body):
    type: Literal["maintenance"]
    title: Name
    message: Text = ""
    state: MaintenanceState = "scheduled"
    starts_at: StartsAt = None
    ends_at: EndsAt = Field(default=None, description="Default: when completed")
    components: NoticeSids = Field(default_factory=list)


class NoticeChange(_Body):
    """What a notice says about itself; its state moves by an update."""

    title: Name | None = None
    message: Text | None = None
    starts_at: datetime | None = None
    ends_at: EndsAt = None
    components: NoticeSids | None = None


class UpdateCreate(_Body):
    state: IncidentState | MaintenanceState = Field(
        description="One of the notice type's states",
        json_schema_extra=beyond_schema("enum"),
    )
    message: Text = ""


_NOTICE_MODELS: Any = Union[IncidentCreate, MaintenanceCreate]  # noqa: UP007
_NOTICE: TypeAdapter[Any] = TypeAdapter(_NOTICE_MODELS)
NOTICE_CREATE = body(
    _NOTICE.json_schema(ref_template=_REF),
    {"type": "incident", "title": "Checkout is slow", "state": "investigating"},
)


def checked_notice(given: dict[str, Any]) -> IncidentCreate | MaintenanceCreate:
    """The notice body as its type's model; ValidationError names fields as the body does
    (the errors of the type it gives, incident when it gives none)."""
    model = MaintenanceCreate if given.get("type") == "maintenance" else IncidentCreate
    try:
        return model.model_validate(given)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc.errors()) from None
