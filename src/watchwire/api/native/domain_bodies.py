"""The bodies `/v1/domains` takes beyond a domain's create body and the settings, as models
the OpenAPI description is made of: a change (`PUT /v1/domains/{sid}`), a list of records
and a batch. The service validates with its own models (services/domains/fields.py); these
are built from them, with the rules its validators apply written as patterns."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from watchwire.api.native.contact_bodies import ContactGroupSids
from watchwire.api.native.openapi import model_body
from watchwire.services.domains.fields import MAX_BATCH, MAX_RECORDS, RecordType
from watchwire.text import SingleLine

_LABEL = r"[a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9_])?"
DomainName = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        min_length=3,
        max_length=253,
        description="A registrable domain name",
    ),
]
RecordHost = Annotated[
    str,
    Field(
        pattern=f"^(@|{_LABEL}(\\.{_LABEL})*)$",
        max_length=253,
        description="@ or a name relative to the domain",
    ),
]
Priority = Annotated[
    str, Field(pattern=r"^(6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})$")
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Record(_Body):
    type: RecordType
    host: RecordHost = "@"
    value: SingleLine = Field(min_length=1, max_length=4096, pattern=r"\S")
    ttl: int = Field(default=3600, ge=1, le=604800)
    priority: Priority | None = None


class Records(_Body):
    records: list[Record] = Field(min_length=1, max_length=MAX_RECORDS)


class DomainCreate(_Body):
    domain: DomainName
    user_id: SingleLine | None = Field(default=None, max_length=255)
    records: list[Record] = Field(default_factory=list, max_length=MAX_RECORDS)
    paused: bool = False
    contact_groups: ContactGroupSids | None = None


class DomainChange(_Body):
    user_id: SingleLine | None = Field(default=None, max_length=255)
    records: list[Record] | None = Field(default=None, max_length=MAX_RECORDS)
    paused: bool | None = None
    contact_groups: ContactGroupSids | None = None


class Batch(_Body):
    domains: list[DomainCreate] = Field(min_length=1, max_length=MAX_BATCH)


CREATE = model_body(DomainCreate)
CHANGE = model_body(DomainChange, change=True)
RECORDS = model_body(Records)
BATCH = model_body(Batch)
