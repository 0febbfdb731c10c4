"""What a monitor kind is made of: the probe it runs, how that probe's result reads as a
check, how long a check may take and how long its lease lasts. One `MonitorKind` per module
of this package; the registry in `__init__.py` is the only place that lists them.

The kinds know nothing of accounts or storage: the service validates a monitor's fields
with them (services/monitor_spec.py) and the engine runs and reads its checks with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pydantic

from watchwire.engine.kinds.targets import TargetForm
from watchwire.errors import ValidationError
from watchwire.probes import ProbeFunction, get_probe, target_check, targets
from watchwire.probes.base import ProbeResult

# Seconds a probe may overrun its own timeout before the engine gives up on it.
OVERRUN = 5.0


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """The part of a monitor row a check needs."""

    kind: str
    target: str
    options: dict[str, Any]
    timeout: float
    expect: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A check as the engine records it: passed or not, the response time the state machine
    compares with `degraded_ms`, the error to show, timing phases, kind-specific details and
    the monitor's `last_status`: the HTTP status when one came back, else the probe's outcome
    (`up`, `down`, `error`; `timeout` when the probe overran its time limit)."""

    ok: bool
    response_ms: float | None
    error: str | None
    phases: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    status: int | str | None = None


def reading(
    result: ProbeResult,
    response_ms: float | None,
    phases: dict[str, float] | None = None,
    details: dict[str, Any] | None = None,
    status: int | None = None,
) -> CheckResult:
    """The common tail of every interpretation: a check passes when the probe says up; the
    error is the probe's reason (or its outcome); phases are also kept, rounded, in details;
    the status is `status` (an HTTP status) when given, else the probe's outcome."""
    phases = phases or {}
    details = details or {}
    ok = result.outcome == "up"
    if phases:
        details["timings"] = {name: round(value, 3) for name, value in phases.items()}
    error = None if ok else (result.reason or result.outcome)
    return CheckResult(
        ok, response_ms, error, phases, details, result.outcome if status is None else status
    )


def within_timeout(spec: CheckSpec, options: Any) -> float:
    """The default time limit: the monitor's timeout and the overrun."""
    return spec.timeout + OVERRUN


Interpret = Callable[[CheckSpec, Any], CheckResult]
TimeLimit = Callable[[CheckSpec, Any], float]
# A monitor's target by the kind's rule, given the monitor's parsed probe options: the
# target to store, or ValueError saying what is wrong with it.
TargetRule = Callable[[str, Any], str]


def strict_url(target: str, options: Any) -> str:
    """An http:// or https:// URL, written out (the tools also take a bare host)."""
    return targets.url(target)


@dataclass(frozen=True, slots=True)
class RowReading:
    """What a kind that runs no probe reads from its monitor's own columns at write time:
    the check to record (None: nothing to judge yet, only reschedule) and the next due time."""

    result: CheckResult | None
    next_due: datetime


# (the monitor row as it is when the result is written, now) -> RowReading
ReadRow = Callable[[Any, datetime], RowReading]


def _no_interpretation(spec: CheckSpec, result: Any) -> CheckResult:
    raise TypeError(f"{spec.kind} monitors run no probe")


@dataclass(frozen=True, slots=True)
class MonitorKind:
    """One kind of uptime monitor.

    `probe` names a probe kind of `watchwire.probes`; its `Options` model validates the
    monitor's `options`. `interpret` reads the probe's result as a check; `time_limit` is the
    longest a check may take (all retries and packets included); a lease lasts
    `lease_factor` times the monitor's timeout (plus margins, engine/scheduler.py).

    A kind told from outside (heartbeats) names no probe: `options` is its own Options
    model and `read_row` judges the monitor from its own columns when the engine writes the
    result, so whatever arrived while the row was leased is taken into account."""

    name: str
    probe: str | None
    interpret: Interpret = _no_interpretation
    time_limit: TimeLimit = within_timeout
    lease_factor: int = 1
    # The monitor's timeout becomes the probe's unless the options name their own.
    monitor_timeout: bool = True
    # The monitor's `expect` values are checked against the answer.
    takes_expect: bool = False
    # The certificate is watched (engine/ssl_watch.py): of an https target for the kinds
    # that speak HTTP, of every target for the tcps-probe kinds.
    watches_certificate: bool = False
    # The target's syntax at create and update; None: the probe's own `check_target`.
    target_rule: TargetRule | None = None
    # The form the target must have (kinds/targets.py), also stated in the OpenAPI
    # description; None: only the rule above.
    target_form: TargetForm | None = None
    # A kind without a probe: its Options, and how the engine reads its monitors.
    options: type[pydantic.BaseModel] | None = None
    read_row: ReadRow | None = None
    # The monitor names what it watches; without one, the service names it (by its SID).
    takes_target: bool = True
    # Down at the first failure and up at the first success: confirmations do not apply.
    single_confirmation: bool = False

    def probe_function(self) -> ProbeFunction:
        if self.probe is None:
            raise TypeError(f"{self.name} monitors run no probe")
        return get_probe(self.probe)[0]

    def options_model(self) -> type[Any]:
        if self.options is not None:
            return self.options
        assert self.probe is not None, "a kind names a probe or its own options"
        return get_probe(self.probe)[1]

    def checked_target(self, target: str, options: Any) -> str:
        """The target to store for a monitor with these parsed probe `options`. Raises
        ValidationError naming `target`, so a malformed one is refused at creation instead of
        failing at every check."""
        problem = None if self.target_form is None else self.target_form.problem(target)
        if problem is not None:
            raise ValidationError.field("target", "format", f"target: {problem}")
        try:
            if self.target_rule is not None:
                return self.target_rule(target, options)
            if self.probe is None:
                return target  # a label: the kind watches nothing by name
            return target_check(self.probe)(target)
        except ValueError as exc:
            raise ValidationError.field("target", "format", str(exc)) from None

    def probe_options(self, options: dict[str, Any], timeout: float) -> Any:
        """The probe's Options for a monitor with these `options` and this `timeout`.
        Raises ValidationError naming `options.<field>`."""
        merged = dict(options)
        if self.monitor_timeout and "timeout" not in merged:
            merged["timeout"] = timeout
        try:
            return self.options_model().model_validate(merged)
        except pydantic.ValidationError as exc:
            raise ValidationError.from_pydantic(exc.errors(), "options.") from None
