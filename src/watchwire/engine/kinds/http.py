"""`http` monitors: the http probe's verdict (expected status, keyword or regex, …); the
response time is the request's total, with its phases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading, strict_url

if TYPE_CHECKING:
    from watchwire.probes.http.http import Result


def response_reading(response: Result) -> tuple[float, dict[str, float], dict[str, Any]]:
    """An HTTP response's total time, its timing phases and its status (also for `headers`)."""
    timings = response.timings
    # `redirect` is always there (0 without a redirect): updown's averages include it so.
    phases = {"redirect": timings.redirects_ms} | {
        name: value
        for name, value in (
            ("dns", timings.dns_lookup_ms),
            ("connect", timings.tcp_connect_ms),
            ("tls", timings.tls_handshake_ms),
            ("first_byte", timings.first_byte_ms),
            ("transfer", timings.transfer_ms),
        )
        if value is not None
    }
    return timings.total_ms, phases, {"status": response.status}


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    total_ms, phases, details = response_reading(result)
    return reading(result, total_ms or result.duration_ms or None, phases, details, result.status)


KIND = MonitorKind(
    name="http",
    probe="http",
    interpret=interpret,
    watches_certificate=True,
    target_rule=strict_url,
)
