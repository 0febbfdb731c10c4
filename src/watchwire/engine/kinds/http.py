"""`http` monitors: the http probe's verdict (expected status, keyword or regex, …); the
response time is the request's total, with its phases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading, strict_url

if TYPE_CHECKING:
    from watchwire.probes.http.http import Result


# The response headers a result keeps (each value cut to KEPT_CHARS): what tells an operator
# what answered and how (a moved site, a proxy's error page, a cache), at a few dozen bytes a
# check; the whole set (0.5 to 1.5 kB a response) would be most of a result row's size.
KEPT_HEADERS = ("content-type", "content-length", "location", "server", "cache-control")
KEPT_CHARS = 200


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    return {name: lowered[name][:KEPT_CHARS] for name in KEPT_HEADERS if name in lowered}


def response_reading(response: Result) -> tuple[float, dict[str, float], dict[str, Any]]:
    """An HTTP response's total time, its timing phases and its details (also for
    `headers`): status, HTTP version, the kept headers, and where redirects ended."""
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
    details: dict[str, Any] = {"status": response.status}
    if response.http_version:
        details["http_version"] = response.http_version
    if response.headers:
        details["headers"] = kept_headers(response.headers)
    if response.final_url and response.final_url != response.url:
        details["final_url"] = response.final_url
    return timings.total_ms, phases, details


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
