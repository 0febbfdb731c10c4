"""`dns` monitors: up when the query answers and every value in the monitor's `expect` is
among the answers; the response time is the query's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading

if TYPE_CHECKING:
    from watchwire.probes.dns.dns import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    answers = [answer.value for answer in result.answers]
    check = reading(result, result.time_ms, details={"answers": answers})
    missing = [value for value in spec.expect if value not in answers]
    if check.ok and missing:
        error = "expected answer missing: " + ", ".join(missing)
        return CheckResult(False, check.response_ms, error, check.phases, check.details, "down")
    return check


KIND = MonitorKind(name="dns", probe="dns", interpret=interpret, takes_expect=True)
