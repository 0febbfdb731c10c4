"""`tcp` monitors: up when every port connects; the response time is the slowest connect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading
from watchwire.probes import targets

if TYPE_CHECKING:
    from watchwire.probes.net.tcp import Options, Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    times = [port.connect_ms for port in result.ports if port.connect_ms is not None]
    if not times:
        return reading(result, None)
    slowest = max(times)
    return reading(result, slowest, {"connect": slowest})


def target_rule(target: str, options: Options) -> str:
    """HOST:PORT, or a HOST alone when the `ports` option names the ports."""
    return targets.host_port(target, port_required=not options.ports)


KIND = MonitorKind(name="tcp", probe="tcp", interpret=interpret, target_rule=target_rule)
