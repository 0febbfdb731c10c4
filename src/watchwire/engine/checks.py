"""Running one monitor's probe and reading its result as the engine needs it: did the check
pass, how long it took, the timing phases, and the error to show."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from watchwire.errors import ProbeError
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.services.monitor_spec import PROBE_OF, probe_options

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
    ok: bool
    response_ms: float | None
    error: str | None
    phases: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def time_limit(spec: CheckSpec, options: Any) -> float:
    """The longest a check may take, all retries and packets included."""
    if spec.kind == "ping":
        return float(options.count * (options.interval + options.timeout)) + OVERRUN
    return spec.timeout + OVERRUN


async def run_check(spec: CheckSpec, ctx: ProbeContext) -> CheckResult:
    """Run the probe; a probe that cannot run (unresolvable name, refused target) is a failed
    check with its reason, not an engine error."""
    probe, _ = get_probe(PROBE_OF[spec.kind])
    try:
        options = probe_options(spec.kind, spec.options, spec.timeout)
        async with asyncio.timeout(time_limit(spec, options)):
            result = await probe(spec.target, options, ctx)
    except TimeoutError:
        return CheckResult(False, None, f"no answer within {spec.timeout:g} s")
    except ProbeError as exc:
        return CheckResult(False, None, exc.message)
    return interpret(spec, result)


def interpret(spec: CheckSpec, result: Any) -> CheckResult:
    """A probe result as pass/fail, response time and phases, per monitor kind."""
    phases: dict[str, float] = {}
    details: dict[str, Any] = {}
    response_ms: float | None = result.duration_ms or None
    if spec.kind in ("http", "headers"):
        response = result if spec.kind == "http" else result.response
        if response is not None:
            timings = response.timings
            response_ms = timings.total_ms or response_ms
            for name, value in (
                ("dns", timings.dns_lookup_ms),
                ("connect", timings.tcp_connect_ms),
                ("tls", timings.tls_handshake_ms),
                ("first_byte", timings.first_byte_ms),
                ("transfer", timings.transfer_ms),
            ):
                if value is not None:
                    phases[name] = value
            details["status"] = response.status
        if spec.kind == "headers":
            details.update(score=result.score, grade=result.grade)
    elif spec.kind == "tcp":
        times = [p.connect_ms for p in result.ports if p.connect_ms is not None]
        response_ms = max(times) if times else None
        if times:
            phases["connect"] = response_ms or 0.0
    elif spec.kind == "ping":
        response_ms = result.rtt_avg_ms
        details["loss_pct"] = result.loss_pct
    elif spec.kind == "dns":
        response_ms = result.time_ms
        details["answers"] = [a.value for a in result.answers]
    ok = result.outcome == "up"
    error = None if ok else (result.reason or result.outcome)
    if ok and spec.kind == "dns" and spec.expect:
        missing = [v for v in spec.expect if v not in details["answers"]]
        if missing:
            ok, error = False, "expected answer missing: " + ", ".join(missing)
    if phases:
        details["timings"] = {k: round(v, 3) for k, v in phases.items()}
    return CheckResult(ok, response_ms, error, phases, details)
