"""`api` monitors: an http request whose answer must meet the options' assertions (the api
probe); read like an `http` check, with each assertion's outcome in the details. The target
is an http(s) URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading
from watchwire.engine.kinds.http import response_reading
from watchwire.engine.kinds.targets import HTTP_URL

if TYPE_CHECKING:
    from watchwire.probes.http.api import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    total_ms, phases, details = response_reading(result)
    details["assertions"] = [
        {"assertion": outcome.assertion, "passed": outcome.passed, "actual": outcome.actual}
        for outcome in result.assertions
    ]
    response_ms = total_ms or result.duration_ms or None
    return reading(result, response_ms, phases, details, result.status)


KIND = MonitorKind(
    name="api",
    probe="api",
    interpret=interpret,
    watches_certificate=True,
    target_form=HTTP_URL,
)
