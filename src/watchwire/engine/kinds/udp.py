"""`udp` monitors: one datagram to HOST:PORT, up when the reply comes (and matches) or, when
no reply is expected, when the port does not refuse it; the response time is the round trip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading
from watchwire.engine.kinds.targets import HOST_PORT

if TYPE_CHECKING:
    from watchwire.probes.net.udp import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    details: dict[str, Any] = {"reply_bytes": result.reply_bytes}
    if result.reply is not None:
        details["reply"] = result.reply[:200]
    phases = {"reply": result.rtt_ms} if result.rtt_ms is not None else {}
    return reading(result, result.rtt_ms, phases, details)


# HOST:PORT: UDP has no usual port to fall back on.
KIND = MonitorKind(name="udp", probe="udp", interpret=interpret, target_form=HOST_PORT)
