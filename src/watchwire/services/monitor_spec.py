"""What a monitor is made of, validated once: the fields a face accepts, checked against
the monitor kinds (engine/kinds) and their probes' own Options models."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from watchwire.engine.kinds import KINDS, get_kind
from watchwire.errors import ValidationError
from watchwire.ids import is_sid
from watchwire.text import SingleLine

# updown's smallest period (001); a plan's `min_interval_seconds` may ask for more.
MIN_INTERVAL = 15
MAX_INTERVAL = 86_400
# Only failing monitors run at it, so below the plans' intervals is fine; not below this.
MIN_RETRY_INTERVAL = 10
DEFAULT_SSL_DAYS = [30, 14, 7, 1]
RECIPIENT_KINDS = ("contact", "contact_group", "webhook")
LocationCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,15}$")]


class MonitorFields(BaseModel):
    """Every field of a monitor with its default; a partial update validates the merge.
    `contact_groups` None = the account's default contact group (resolved by the service)."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    # Required unless the kind names its own (a heartbeat without one is named by its SID).
    target: SingleLine = Field(default="", max_length=2048)
    name: SingleLine = Field(default="", max_length=255)
    options: dict[str, Any] = Field(default_factory=dict)
    interval: int = Field(default=60, ge=MIN_INTERVAL, le=MAX_INTERVAL, description="seconds")
    retry_interval: int | None = Field(
        default=None,
        ge=MIN_RETRY_INTERVAL,
        le=MAX_INTERVAL,
        description="seconds between checks while failing, to confirm or clear sooner (at most "
        "the interval); none: a first failure is checked again at once, a down monitor at "
        "its interval",
    )
    timeout: float = Field(default=10.0, gt=0, le=60, description="seconds")
    confirmations: int = Field(default=2, ge=1, le=10, description="failures before down")
    recoveries: int = Field(default=1, ge=1, le=10, description="successes before up")
    degraded_ms: float | None = Field(default=None, gt=0, description="slower than this")
    apdex_t_ms: float = Field(default=500.0, gt=0, le=60_000)
    ssl_expiry_days: list[int] = Field(
        default_factory=lambda: list(DEFAULT_SSL_DAYS), max_length=10
    )
    expect: list[str] = Field(default_factory=list, max_length=50)
    paused: bool = False
    tags: list[SingleLine] = Field(default_factory=list, max_length=50)
    contact_groups: list[str] | None = Field(default=None, max_length=50)
    mute_until: SingleLine | None = Field(
        default=None,
        max_length=64,
        description="hold alerts back until this time, `recovery` (the next up) or `forever`",
    )
    recipients: list[str] | None = Field(
        default=None,
        max_length=100,
        description="contact (CO…), contact group (CG…) and webhook (WH…) SIDs told alone",
    )
    locations: list[LocationCode] | None = Field(
        default=None,
        max_length=50,
        description="codes of the locations it runs from (`/v1/locations`); none: every one",
    )
    disabled_locations: list[LocationCode] = Field(
        default_factory=list, max_length=50, description="codes of locations left out"
    )
    quorum: int | None = Field(
        default=None,
        ge=1,
        le=50,
        description="locations that must see it down for an outage; none: a majority of "
        "those that answered (fewer: a partial downtime)",
    )
    allow_duplicate: bool = Field(
        default=False,
        description="keep it even when the account has a monitor of this kind and target",
    )

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            names = [repr(name) for name in KINDS]
            expected = ", ".join(names[:-1]) + " or " + names[-1]
            raise PydanticCustomError("literal_error", f"Input should be {expected}")
        return value

    @field_validator("ssl_expiry_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 3650 for day in value):
            raise ValueError("each threshold is 0 to 3650 days")
        return sorted(set(value), reverse=True)

    @field_validator("contact_groups")
    @classmethod
    def _groups(cls, value: list[str] | None) -> list[str] | None:
        for sid in value or []:
            if not is_sid("contact_group", sid):
                raise ValueError(f"{sid!r} is not a contact group SID (CG…)")
        return value

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: list[str] | None) -> list[str] | None:
        for sid in value or []:
            if not any(is_sid(kind, sid) for kind in RECIPIENT_KINDS):
                raise ValueError(f"{sid!r} is not a contact, contact group or webhook SID")
        return None if value is None else list(dict.fromkeys(value))

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        if any(not tag or len(tag) > 64 for tag in value):
            raise ValueError("tags are 1 to 64 characters")
        return list(dict.fromkeys(value))


def validate_fields(
    raw: dict[str, Any], *, min_interval: int, default_target: str | None = None
) -> MonitorFields:
    """A monitor's fields, with its probe options checked by the probe's Options model.
    A kind that takes no target gets `default_target` when the fields name none.

    Raises ValidationError naming each field (`interval`, `options.timeout`, …)."""
    try:
        fields = MonitorFields.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc.errors()) from None
    kind = get_kind(fields.kind)
    if not fields.target:
        if kind.takes_target or default_target is None:
            raise ValidationError.field("target", "required", "target: Field required")
        fields.target = default_target
    if kind.single_confirmation:
        for name in ("confirmations", "recoveries"):
            if name in fields.model_fields_set and getattr(fields, name) != 1:
                raise ValidationError.field(
                    name,
                    "kind",
                    f"{name}: {fields.kind} monitors go down at the first missed or failed "
                    "ping and up at the next success (1 only)",
                )
        fields.confirmations = fields.recoveries = 1
    if fields.interval < min_interval:
        raise ValidationError.field(
            "interval", "minimum", f"interval: your plan allows {min_interval} s or more"
        )
    if fields.timeout >= fields.interval:
        raise ValidationError.field("timeout", "range", "timeout must be below the interval")
    if fields.expect and not kind.takes_expect:
        takers = ", ".join(name for name, other in KINDS.items() if other.takes_expect)
        raise ValidationError.field("expect", "kind", f"expect applies to {takers} monitors only")
    parsed = kind.probe_options(fields.options, fields.timeout)
    fields.target = kind.checked_target(fields.target, parsed)
    stored = parsed.model_dump(mode="json", exclude_unset=True)
    if "timeout" not in fields.options:
        stored.pop("timeout", None)  # injected from the monitor's timeout, not the user's
    fields.options = stored
    return fields
