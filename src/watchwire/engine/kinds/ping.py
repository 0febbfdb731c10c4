"""`ping` monitors: the icmp probe, up when replies come back; the response time is the
average round trip, and the loss is recorded.

A ping sends several packets, each with its own timeout, so its time limit counts them all,
its lease is longer, and the monitor's timeout does not replace the per-reply one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchwire.engine.kinds.base import OVERRUN, CheckResult, CheckSpec, MonitorKind, reading

if TYPE_CHECKING:
    from watchwire.probes.net.icmp import Options, Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    return reading(result, result.rtt_avg_ms, details={"loss_pct": result.loss_pct})


def time_limit(spec: CheckSpec, options: Options) -> float:
    return float(options.count * (options.interval + options.timeout)) + OVERRUN


KIND = MonitorKind(
    name="ping",
    probe="icmp",
    interpret=interpret,
    time_limit=time_limit,
    lease_factor=4,
    monitor_timeout=False,
)
