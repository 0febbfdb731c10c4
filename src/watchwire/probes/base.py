"""What every probe shares: its options base, its result base and the context it runs in.

A probe is `async def probe(target: str, options: Options, ctx: ProbeContext) -> Result`.
It knows nothing of accounts, monitors or storage, so the one-off tools, the CLI and the
scheduled monitors all call the same code. Options are validated once at the face (pydantic,
extra fields forbidden) and never re-checked inside the probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from watchwire.clock import Clock, SystemClock
from watchwire.target_policy import TargetPolicy


class ProbeOptions(BaseModel):
    """Base of every probe's options: strict, with defaults declared on the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(BaseModel):
    """One observation about a target, with a stable code that profiles and evaluators select."""

    code: str
    severity: Literal["info", "warning", "error", "critical"] = "warning"
    message: str
    details: dict[str, Any] | None = None


class ProbeResult(BaseModel):
    """Base of every probe's result: an outcome, the reason when it is not up, and findings."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    target: str
    outcome: Literal["up", "down", "error"]
    reason: str | None = None
    duration_ms: float = 0.0
    findings: list[Finding] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class ProbeContext:
    """Everything a probe may need from outside: the target policy, the resolver, trust roots."""

    policy: TargetPolicy = field(default_factory=TargetPolicy)
    # The resolver for dns, rbl and CAA lookups, (host, port); None = the system resolver.
    resolver: tuple[str, int] | None = None
    ca_file: Path | None = None
    # MaxMind-format databases (City and/or ASN) that add detail to the embedded geo data.
    geoip_mmdb: tuple[Path, ...] = ()
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Any) -> ProbeContext:
        return cls(
            policy=TargetPolicy(
                allow_private=settings.allow_private_targets,
                allow_metadata=settings.allow_metadata_target,
            ),
            resolver=settings.resolver_address,
            ca_file=settings.ca_file,
            geoip_mmdb=tuple(settings.geoip_mmdb),
        )
