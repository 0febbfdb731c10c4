"""The bodies `/v1/rbl/…` takes, as models the OpenAPI description is made of. The service
reads them itself (services/rbl/fields.py: lists as arrays or 003's comma-separated strings,
booleans as words); these models state the same rules for the description."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from watchwire.api.native.contact_bodies import ContactGroupSids
from watchwire.api.native.openapi import beyond_schema, model_body, sid_of
from watchwire.services.rbl.model import FREQUENCIES, SOURCE_TYPES
from watchwire.text import SingleLine, matching

Frequency = Annotated[str, Field(json_schema_extra={"enum": list(FREQUENCIES)})]
SourceType = Annotated[str, Field(json_schema_extra={"enum": list(SOURCE_TYPES)})]
Name = Annotated[SingleLine, matching(r"\S", min_length=1, max_length=255)]
Tag = Annotated[SingleLine, matching(r"^\S(.*\S)?$", min_length=1, max_length=64)]
# A host to watch: an IPv4 address, a CIDR subnet of at most 256 addresses, or a name.
_ADDRESS = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
Address = Annotated[str, Field(pattern=f"^{_ADDRESS}$", description="An IPv4 address")]
# A blocklist zone: labels of letters, digits and hyphens.
Zone = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="The list's DNS zone",
    ),
]
ReturnCode = Annotated[str, Field(pattern=r"^127\.0\.0\.([2-9]|[1-9]\d|1\d\d|2[0-4]\d)$")]


ProfileSid = Annotated[str, sid_of("rbl_profile")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HostCreate(_Body):
    host: Address
    name: Name | None = None
    profile: ProfileSid | None = Field(
        default=None,
        description="A profile SID (RP…); default: the account's default profile",
        json_schema_extra=beyond_schema("not_found"),
    )
    contact_groups: ContactGroupSids | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class HostChange(_Body):
    name: Name | None = None
    profile: ProfileSid | None = Field(default=None, json_schema_extra=beyond_schema("not_found"))
    contact_groups: ContactGroupSids | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)


class ProfileCreate(_Body):
    name: Name
    frequency: Frequency | None = None
    entries: list[Annotated[str, sid_of("rbl_source")]] | None = Field(
        default=None,
        max_length=1000,
        description="Source SIDs (RB…); giving any selects them only",
        json_schema_extra=beyond_schema("not_found"),
    )
    sync_method: Literal["stay_in_sync"] | None = Field(
        default=None, description="use_my_selections is chosen by giving entries"
    )
    is_default: bool = False


class ProfileChange(_Body):
    name: Name | None = None
    frequency: Frequency | None = None
    is_default: bool | None = None


class SourceCreate(_Body):
    host: Zone
    type: SourceType
    custom_codes: list[ReturnCode] = Field(default_factory=list)


class SourceChange(_Body):
    host: Zone | None = None
    type: SourceType | None = None
    custom_codes: list[ReturnCode] | None = None


class CheckStart(_Body):
    host: Address
    details: bool = False


HOST_CREATE = model_body(HostCreate)
HOST_CHANGE = model_body(HostChange, change=True)
PROFILE_CREATE = model_body(ProfileCreate)
PROFILE_CHANGE = model_body(ProfileChange, change=True)
SOURCE_CREATE = model_body(SourceCreate)
SOURCE_CHANGE = model_body(SourceChange, change=True)
CHECK_START = model_body(CheckStart)
