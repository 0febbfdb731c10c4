"""What a monitored domain, its records and an account's domain settings are made of
(Entri 002's fields), validated once for every face and for the batch job; validation errors
name the field the way the request spelled it."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from watchwire.engine.evaluate_domains import ExpectedRecord
from watchwire.errors import ProbeError, ValidationError
from watchwire.probes.rdap.rdap import normalise_domain
from watchwire.text import SingleLine

MAX_BATCH = 100
MAX_RECORDS = 100
MAX_LIMIT = 100
Model = TypeVar("Model", bound=BaseModel)
RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SRV"]


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RecordType
    host: SingleLine = Field(default="@", min_length=1, max_length=253)
    value: str = Field(min_length=1, max_length=4096)
    ttl: int = Field(default=3600, ge=1, le=604800)
    priority: str | None = Field(default=None, max_length=8)

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        host = value.strip().rstrip(".").lower() or "@"
        if host != "@" and any(not label or len(label) > 63 for label in host.split(".")):
            raise ValueError("host must be @ or a name relative to the domain")
        return host

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip()
        if not text.isdigit() or int(text) > 65535:
            raise ValueError("priority must be a number from 0 to 65535")
        return text

    def expected(self) -> ExpectedRecord:
        return ExpectedRecord(self.type, self.host, self.value.strip(), self.priority)


class DomainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    domain: SingleLine = Field(min_length=3, max_length=253)
    user_id: SingleLine | None = Field(default=None, max_length=255)
    records: list[RecordIn] = Field(
        default_factory=list, max_length=MAX_RECORDS, validation_alias="dnsRecords"
    )
    paused: bool = False
    contact_groups: list[str] | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return normalise_domain(value)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check_interval: int | None = Field(default=None, ge=60, le=86400 * 7)
    expiry_days: list[int] | None = Field(default=None, min_length=1, max_length=10)

    @field_validator("expiry_days")
    @classmethod
    def _days(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 0 < d <= 365 for d in value):
            raise ValueError("each threshold is 1 to 365 days")
        return sorted(set(value), reverse=True) if value is not None else None


def _error(exc: pydantic.ValidationError, prefix: str = "") -> ValidationError:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] == "dnsRecords":
            loc[0] = "records"
        field = prefix + ".".join(loc) if loc else prefix.rstrip(".") or "body"
        message = str(err["msg"]).removeprefix("Value error, ")
        details.append({"field": field, "rule": err["type"], "message": f"{field}: {message}"})
    return ValidationError("; ".join(d["message"] for d in details), details=details)


def validate(model: type[Model], raw: Any, prefix: str = "") -> Model:
    """`raw` as `model`; a ValidationError naming each bad field (after `prefix`) if not."""
    if not isinstance(raw, dict):
        raise ValidationError.field(prefix.rstrip(".") or "body", "type", "expected an object")
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise _error(exc, prefix) from None
    except ProbeError as exc:  # normalise_domain inside a validator
        raise ValidationError.field(prefix + "domain", "domain", exc.message) from None
