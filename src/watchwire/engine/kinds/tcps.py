"""`tcps` monitors: a TCP connect and a TLS handshake with the certificate checked (the tcps
probe); the response time is connect plus handshake, and the leaf's dates are recorded. The
target is HOST:PORT, as updown's `tcps://host:port`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchwire.engine.kinds.base import CheckResult, CheckSpec, MonitorKind, reading
from watchwire.engine.kinds.targets import HOST_PORT

if TYPE_CHECKING:
    from watchwire.probes.tls.tcps import Result


def interpret(spec: CheckSpec, result: Result) -> CheckResult:
    phases = {
        name: value
        for name, value in (("connect", result.connect_ms), ("tls", result.handshake_ms))
        if value is not None
    }
    details: dict[str, Any] = {"tls_version": result.tls_version}
    if result.certificate is not None:
        leaf = result.certificate
        details.update(
            not_after=leaf.not_after,
            days_left=leaf.days_left,
            trusted=result.trusted,
            # The chain's summary for the monitor's page: who it is for, who issued it.
            common_name=leaf.common_name,
            issuer=leaf.issuer,
            chain_length=result.chain_length,
            hostname_matches=result.hostname_matches,
        )
    return reading(result, sum(phases.values()) if phases else None, phases, details)


KIND = MonitorKind(
    name="tcps",
    probe="tcps",
    interpret=interpret,
    target_form=HOST_PORT,
    watches_certificate=True,
)
