"""What every probe shares: its options base, its result base and the context it runs in.

A probe is `async def probe(target: str, options: Options, ctx: ProbeContext) -> Result`.
It knows nothing of accounts, monitors or storage, so the one-off tools, the CLI and the
scheduled monitors all call the same code. Options are validated once at the face (pydantic,
extra fields forbidden) and never re-checked inside the probe.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

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


_UNSET: Any = object()
_IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset)


def _unvalidated_builder(cls: type[ProbeModel]) -> Callable[..., Any]:
    """`cls.unvalidated`: the model from keyword arguments, defaults as declared, no validation.

    For the hot paths, where a probe runs thousands of times a second and validating its own
    values cost more than the rest of its Python (docs/decisions/0008-unvalidated-probe-results.md).
    The caller answers for the values' types; anything from outside the probe goes through
    the validating constructor. pydantic's `model_construct` does the same job generically,
    but loops over every field's aliases and inspects each default factory's signature on
    every call (~90 µs here). Generated per class the way dataclasses write `__init__`: a call
    is one dict display in declaration order (which sets the JSON key order) and the four
    attribute stores of model_construct; every field counts as set, since the probe set it."""
    # The two attributes set to None below hold nothing only without these.
    if cls.__private_attributes__ or cls.model_config.get("extra") == "allow":
        raise TypeError(f"{cls.__name__}: private attributes or extra fields need validation")
    namespace: dict[str, Any] = {
        "__cls": cls,
        "__new": object.__new__,
        "__set": object.__setattr__,
        "__unset": _UNSET,
        "__fields": frozenset(cls.model_fields),
    }
    params, entries = [], []
    for name, info in cls.model_fields.items():
        if info.is_required():
            params.append(name)
            entries.append(f"{name!r}: {name}")
        elif info.default_factory is None and isinstance(info.default, _IMMUTABLE):
            namespace[f"__default_{name}"] = info.default
            params.append(f"{name}=__default_{name}")
            entries.append(f"{name!r}: {name}")
        else:
            # A fresh default per model: the factory's, or a copy of a mutable default (as
            # pydantic copies it), so no two models share a list or a dict.
            make = (
                info.default_factory
                if info.default_factory is not None
                else functools.partial(copy.deepcopy, info.default)
            )
            namespace[f"__make_{name}"] = make
            params.append(f"{name}=__unset")
            entries.append(f"{name!r}: __make_{name}() if {name} is __unset else {name}")
    source = (
        f"def unvalidated(*, {', '.join(params)}):\n"
        "    built = __new(__cls)\n"
        f"    __set(built, '__dict__', {{{', '.join(entries)}}})\n"
        "    __set(built, '__pydantic_fields_set__', set(__fields))\n"
        "    __set(built, '__pydantic_extra__', None)\n"
        "    __set(built, '__pydantic_private__', None)\n"
        "    return built\n"
    )
    exec(source, namespace)
    builder: Callable[..., Any] = namespace["unvalidated"]
    builder.__qualname__ = f"{cls.__qualname__}.unvalidated"
    return builder


class ProbeModel(BaseModel):
    """Base of the models a probe builds from its own values: results and their parts.

    Each subclass gets `unvalidated`, a keyword-only function that builds it without
    validation, for the hot paths (see _unvalidated_builder)."""

    unvalidated: ClassVar[Callable[..., Any]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.unvalidated = staticmethod(_unvalidated_builder(cls))


class ProbeResult(ProbeModel):
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


def ms_between(start: float, end: float) -> float:
    """Milliseconds from one perf_counter() reading to another, to the microsecond. Integer
    rounding rather than round(x, 3), which goes through decimal conversion: 90 against
    230 ns, on paths that time every connect."""
    return int((end - start) * 1e6 + 0.5) / 1000


def ms_since(started: float) -> float:
    """Milliseconds since a perf_counter() reading, to the microsecond."""
    return ms_between(started, time.perf_counter())


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
