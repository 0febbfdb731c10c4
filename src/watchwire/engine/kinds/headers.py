"""`headers` monitors: up when the site answers; the security-header score and grade are
recorded, not judged. Timings are those of the response the headers came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading, strict_url
from watchwire.engine.kinds.http import response_reading

if TYPE_CHECKING:
    from watchwire.probes.http.headers import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    response_ms = result.duration_ms or None
    phases: dict[str, float] = {}
    details: dict[str, Any] = {}
    if result.response is not None:
        total_ms, phases, details = response_reading(result.response)
        response_ms = total_ms or response_ms
    details.update(score=result.score, grade=result.grade)
    return reading(result, response_ms, phases, details, result.status)


KIND = MonitorKind(
    name="headers",
    probe="headers",
    interpret=interpret,
    watches_certificate=True,
    target_rule=strict_url,
)
