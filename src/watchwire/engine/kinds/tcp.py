"""`tcp` monitors: up when every port connects; the response time is the slowest connect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading

if TYPE_CHECKING:
    from watchwire.probes.net.tcp import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    times = [port.connect_ms for port in result.ports if port.connect_ms is not None]
    if not times:
        return reading(result, None)
    slowest = max(times)
    return reading(result, slowest, {"connect": slowest})


KIND = MonitorKind(name="tcp", probe="tcp", interpret=interpret)
