"""What certificate profiles and monitors are made of, validated once (003's defaults), and
how monitors and their errors are shown in event payloads (faces render records.py)."""

from __future__ import annotations

import re
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from watchwire.engine.evaluate_certs import Profile
from watchwire.errors import ValidationError
from watchwire.hostport import host_name_problem
from watchwire.ids import is_sid
from watchwire.probes.tls.tls import Protocol
from watchwire.text import SingleLine

# Certificates change rarely: every 6 hours by default, every 5 minutes at most, weekly at least.
DEFAULT_INTERVAL = 6 * 3600
MIN_INTERVAL = 300
MAX_INTERVAL = 7 * 86_400
DEFAULT_THRESHOLDS = [30, 14, 7]
SWITCHES = (
    "alert_on_expiration",
    "alert_on_name_mismatch",
    "alert_on_ca_failure",
    "alert_on_connection_failure",
    "alert_on_caa_failure",
    "alert_on_misconfigurations",
    "alert_on_changes",
)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*)(\.[A-Za-z0-9_-]+)*\.?$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]+$")


# -- fields ---------------------------------------------------------------------------------


def _csv_ints(value: Any) -> Any:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.lstrip("-").isdigit() for p in parts):
            raise ValueError("a comma-separated list of whole days, e.g. 30,14,7")
        return [int(p) for p in parts]
    return value


class ProfileFields(BaseModel):
    """A certificate profile with 003's defaults; a partial update validates the merge."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=255)
    expiration_thresholds: list[int] = Field(
        default_factory=lambda: list(DEFAULT_THRESHOLDS), min_length=1, max_length=10
    )
    alert_on_expiration: bool = True
    alert_on_name_mismatch: bool = True
    alert_on_ca_failure: bool = True
    alert_on_connection_failure: bool = True
    alert_on_caa_failure: bool = False
    alert_on_misconfigurations: bool = True
    alert_on_changes: bool = True
    is_default: bool = False

    @field_validator("expiration_thresholds", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _csv_ints(value)

    @field_validator("expiration_thresholds")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 3650 for day in value):
            raise ValueError("each threshold is 0 to 3650 days")
        return sorted(set(value), reverse=True)


class MonitorFields(BaseModel):
    """A certificate monitor; `profile` None = the account's default profile,
    `contact_groups` None = the account's default contact group."""

    model_config = ConfigDict(extra="forbid")

    hostname: SingleLine = Field(min_length=1, max_length=255)
    protocol: Protocol
    port: int | None = Field(default=None, ge=1, le=65535, description="default: the protocol's")
    name: SingleLine | None = Field(default=None, max_length=255)
    profile: SingleLine | None = None
    contact_groups: list[str] | None = Field(default=None, max_length=50)
    tags: list[SingleLine] = Field(default_factory=list, max_length=50)
    interval: int = Field(default=DEFAULT_INTERVAL, ge=MIN_INTERVAL, le=MAX_INTERVAL)
    paused: bool = False

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        host = value.strip().lower().removeprefix("[").removesuffix("]")
        if not (_HOSTNAME.match(host) or (":" in host and _IPV6.match(host))):
            raise ValueError("a host name or IP address, without scheme, port or path")
        problem = host_name_problem(host)  # label and name lengths, which the pattern leaves
        if problem:
            raise ValueError(problem)
        return host

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str | None) -> str | None:
        if value is not None and not is_sid("cert_profile", value):
            raise ValueError(f"{value!r} is not a certificate profile SID (CP…)")
        return value

    @field_validator("contact_groups")
    @classmethod
    def _groups(cls, value: list[str] | None) -> list[str] | None:
        for sid in value or []:
            if not is_sid("contact_group", sid):
                raise ValueError(f"{sid!r} is not a contact group SID (CG…)")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        if any(not tag or len(tag) > 64 for tag in value):
            raise ValueError("tags are 1 to 64 characters")
        return list(dict.fromkeys(value))


def validate(model: type[BaseModel], raw: dict[str, Any]) -> Any:
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc.errors()) from None


# -- shapes -----------------------------------------------------------------------------------


def profile_fields(row: Any) -> dict[str, Any]:
    """A stored profile as ProfileFields takes it (an update validates the merge)."""
    return {
        "name": row.name,
        "expiration_thresholds": list(row.expiration_thresholds),
        **{switch: bool(getattr(row, switch)) for switch in SWITCHES},
        "is_default": bool(row.is_default),
    }


def profile_of(row: Any | None) -> Profile:
    """The evaluator's view of a profile row (003's defaults when the row is gone)."""
    if row is None:
        return Profile()
    return Profile(
        expiration_thresholds=tuple(row.expiration_thresholds),
        **{switch: bool(getattr(row, switch)) for switch in SWITCHES},
    )


def monitor_summary(row: Any) -> dict[str, Any]:
    """The monitor as events carry it (`id` is 003's name for the SID)."""
    return {
        "id": row.sid,
        "sid": row.sid,
        "name": row.name,
        "hostname": row.hostname,
        "protocol": row.protocol,
        "port": row.port,
        "profile": row.profile_sid,
        "contact_groups": list(row.contact_groups),
        "tags": list(row.tags),
        "status": "paused" if row.paused else "active",
    }


def error_json(entry: dict[str, Any], row: Any) -> dict[str, Any]:
    """An active error, as GAPS.md's certificate error entry."""
    return {
        "id": entry["id"],
        "monitor": row.sid,
        "monitor_name": row.name,
        "hostname": row.hostname,
        "protocol": row.protocol,
        "error_type": entry["error_type"],
        "code": entry["code"],
        "severity": entry["severity"],
        "message": entry["message"],
        "first_seen": entry["first_seen"],
        "last_seen": entry["last_seen"],
    }
