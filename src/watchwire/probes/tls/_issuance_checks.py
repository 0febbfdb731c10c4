"""What the checks after the handshake make into findings: the leaf's revocation status
(OCSP or CRL, from `_revocation`) and the CAA records of its name (from `_caa`)."""

from __future__ import annotations

import dns.exception
from cryptography import x509

from watchwire.probes.base import Finding, ProbeContext
from watchwire.probes.tls._caa import CaaCheck, check_caa, issuer_identifiers
from watchwire.probes.tls._findings import finding
from watchwire.probes.tls._revocation import RevocationStatus
from watchwire.probes.tls.certificate import matching_san


def revocation_findings(status: RevocationStatus | None) -> list[Finding]:
    if status is None or status.status == "good":
        return []
    if status.status == "revoked":
        return [
            finding(
                "revoked",
                "ca_failure",
                "critical",
                f"The certificate has been revoked ({status.detail}).",
                method=status.method,
                url=status.url,
                revoked_at=status.revoked_at,
                revocation_reason=status.revocation_reason,
            )
        ]
    return [
        finding(
            "revocation_unknown",
            "ca_failure",
            "info",
            f"The revocation status could not be determined: {status.detail}.",
        )
    ]


async def caa_findings(
    leaf: x509.Certificate,
    server_name: str,
    caa_identifiers: list[str] | None,
    timeout: float,
    ctx: ProbeContext,
) -> tuple[CaaCheck | None, list[Finding]]:
    """The CAA check of the name the leaf covers, with the issuer's identifiers (named by the
    check, else derived from the issuer's name), and its findings."""
    identifiers = caa_identifiers or issuer_identifiers(leaf.issuer)
    name = matching_san(leaf, server_name) or server_name
    try:
        check = await check_caa(name, identifiers, ctx.resolver, timeout)
    except dns.exception.DNSException as exc:
        return None, [
            finding(
                "caa_lookup_failed",
                "caa_failure",
                "info",
                f"The CAA records of {name} could not be read: {exc}.",
            )
        ]
    if check.allowed is False:
        return check, [
            finding(
                "caa_violation",
                "caa_failure",
                "error",
                f"The CAA records at {check.found_at} do not allow this certificate's issuer: "
                f"{check.reason}.",
                found_at=check.found_at,
                issuer_identifiers=identifiers,
            )
        ]
    if check.allowed is None:
        return check, [
            finding(
                "caa_unknown_issuer",
                "caa_failure",
                "info",
                f"CAA records exist at {check.found_at}, but {check.reason}; name the issuer's "
                "CAA identifiers with caa_identifiers to check them.",
                found_at=check.found_at,
            )
        ]
    return check, []
