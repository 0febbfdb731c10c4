"""The certificate finding rules of the tls probe: pure functions from a presented chain and a
few observations to findings, so every rule can be tested without a server.

Each finding has a stable code, a plain sentence and `details["category"]`, one of the alert
categories of a certificate profile (expiration, name_mismatch, ca_failure,
connection_failure, caa_failure, misconfiguration). The seventh switch, `changes`, is served by
the evaluator comparing the leaf's `fingerprint_sha256` between checks, not by a finding.
What each certificate says comes from `certificate`, whether the chain is trusted from `_trust`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from cryptography import x509

from watchwire.probes.base import Finding
from watchwire.probes.tls._trust import TrustRoots, TrustVerdict, trust_verdict
from watchwire.probes.tls.certificate import (
    CertFacts,
    CertificateInfo,
    certificate_facts,
    covers,
    days_until,
    describe,
    is_self_signed,
    issued_by,
)

Category = Literal[
    "expiration",
    "name_mismatch",
    "ca_failure",
    "connection_failure",
    "caa_failure",
    "misconfiguration",
]
Severity = Literal["info", "warning", "error", "critical"]
# CA/Browser Forum ballot SC-081: the longest validity a publicly trusted TLS certificate may
# have, by the date it was issued (its notBefore).
VALIDITY_LIMITS: Final = (
    (datetime(2029, 3, 15, tzinfo=UTC), 47),
    (datetime(2027, 3, 15, tzinfo=UTC), 100),
    (datetime(2026, 3, 15, tzinfo=UTC), 200),
)
VALIDITY_LIMIT_BEFORE_2026: Final = 398
MIN_RSA_BITS: Final = 2048
MIN_EC_BITS: Final = 256


def finding(
    code: str, category: Category, severity: Severity, message: str, **details: Any
) -> Finding:
    """A Finding whose details always carry its alert category."""
    return Finding(
        code=code, severity=severity, message=message, details={"category": category, **details}
    )


def max_validity_days(not_before: datetime) -> int:
    """The public maximum validity in days for a certificate issued at `not_before`."""
    for since, days in VALIDITY_LIMITS:
        if not_before >= since:
            return days
    return VALIDITY_LIMIT_BEFORE_2026


def _expiry_findings(leaf: CertFacts, now: datetime, warning_days: int) -> list[Finding]:
    left = days_until(leaf.not_after, now)
    if now > leaf.not_after:
        return [
            finding(
                "cert_expired",
                "expiration",
                "critical",
                f"The certificate expired on {leaf.info.not_after}.",
                days_left=left,
                not_after=leaf.info.not_after,
            )
        ]
    if now < leaf.not_before:
        return [
            finding(
                "cert_not_yet_valid",
                "expiration",
                "error",
                f"The certificate is not valid before {leaf.info.not_before}.",
                not_before=leaf.info.not_before,
            )
        ]
    if left <= warning_days:
        return [
            finding(
                "cert_expiring",
                "expiration",
                "warning",
                f"The certificate expires in {left} day{'s' if left != 1 else ''}.",
                days_left=left,
                not_after=leaf.info.not_after,
            )
        ]
    return []


def _name_findings(leaf: CertFacts, hostname: str) -> list[Finding]:
    """The finding for a leaf whose names do not cover `hostname`."""
    sans = list(leaf.sans)
    covered = ", ".join(sans) if sans else "no names (no subjectAltName)"
    return [
        finding(
            "name_mismatch",
            "name_mismatch",
            "error",
            f"The certificate does not cover {hostname}; it covers {covered}.",
            hostname=hostname,
            sans=sans,
        )
    ]


def plain_verifier_error(error: str | None) -> str:
    """The verifier's reason without its Rust debug dump (kept whole in the details)."""
    text = (error or "").rsplit("validation failed: ", 1)[-1].removeprefix("candidates exhausted: ")
    for tail in (" (encountered", ": AlgorithmIdentifier", " {"):
        text = text.split(tail, 1)[0]
    return text.strip() or "no path to a trusted root was found"


def trust_findings(
    chain: Sequence[x509.Certificate], verdict: TrustVerdict, roots: TrustRoots
) -> list[Finding]:
    if verdict.trusted:
        return []
    if is_self_signed(chain[0]):
        return [
            finding(
                "self_signed",
                "ca_failure",
                "error",
                "The certificate is self-signed, so no client trusts it.",
                roots=roots.source,
            )
        ]
    return [
        finding(
            "untrusted_chain",
            "ca_failure",
            "error",
            f"The chain does not lead to a trusted root ({roots.source} store): "
            f"{plain_verifier_error(verdict.error)}.",
            roots=roots.source,
            error=verdict.error,
        )
    ]


def issuer_path(chain: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The path from the leaf upward through the presented certificates, by signature."""
    path = [chain[0]]
    while not is_self_signed(path[-1]):
        issuer = next((c for c in chain if c not in path and issued_by(path[-1], c)), None)
        if issuer is None:
            break
        path.append(issuer)
    return path


def structure_findings(chain: Sequence[x509.Certificate], roots: TrustRoots) -> list[Finding]:
    """Missing intermediates, wrong order and certificates that do not belong."""
    path = issuer_path(chain)
    top = path[-1]
    found: list[Finding] = []
    # Only a lone leaf is surely missing its intermediate: when intermediates were sent and the
    # top one is not anchored, the root may just as well be unknown (untrusted_chain says so).
    if len(path) == 1 and not is_self_signed(top) and roots.issuer_of(top) is None:
        found.append(
            finding(
                "incomplete_chain",
                "misconfiguration",
                "error",
                "The server does not send the intermediate certificate issued to "
                f"{top.issuer.rfc4514_string()}; clients that do not fetch it will fail.",
                missing_issuer=top.issuer.rfc4514_string(),
            )
        )
    extra = [c for c in chain if c not in path]
    if list(chain[: len(path)]) != path:
        found.append(
            finding(
                "chain_order",
                "misconfiguration",
                "warning",
                "The server sends its chain out of order: each certificate should be followed "
                "by the one that issued it.",
                presented=[c.subject.rfc4514_string() for c in chain],
                expected=[c.subject.rfc4514_string() for c in path],
            )
        )
    elif extra:
        found.append(
            finding(
                "chain_order",
                "misconfiguration",
                "warning",
                "The server sends certificates that are not part of its chain: "
                + "; ".join(c.subject.rfc4514_string() for c in extra),
                unrelated=[c.subject.rfc4514_string() for c in extra],
            )
        )
    return found


def _intermediate_findings(chain: Sequence[CertFacts], now: datetime) -> list[Finding]:
    found = []
    for cert in chain[1:]:
        if now > cert.not_after and not cert.self_signed:
            found.append(
                finding(
                    "intermediate_expired",
                    "ca_failure",
                    "error",
                    f"The intermediate certificate {cert.subject} expired on "
                    f"{cert.info.not_after}.",
                    subject=cert.subject,
                    not_after=cert.info.not_after,
                )
            )
    return found


_MIN_KEY_BITS: Final = {"RSA": MIN_RSA_BITS, "DSA": MIN_RSA_BITS, "EC": MIN_EC_BITS}


def _strength_findings(chain: Sequence[CertFacts]) -> list[Finding]:
    """Weak keys anywhere in the presented chain; weak signatures on all but self-signed
    roots (a root's self-signature is never checked by clients)."""
    found = []
    for position, cert in enumerate(chain):
        key_type, bits, weak = cert.key_type, cert.key_size, cert.weak_hash
        minimum = _MIN_KEY_BITS.get(key_type, 0)
        if bits >= minimum and not weak:
            continue
        name = cert.subject
        if bits < minimum:
            found.append(
                finding(
                    "weak_key",
                    "misconfiguration",
                    "error",
                    f"{name} has a {bits}-bit {key_type} key; at least {minimum} bits are needed.",
                    subject=name,
                    key_type=key_type,
                    key_size=bits,
                    position=position,
                )
            )
        if weak and not cert.self_signed:
            found.append(
                finding(
                    "weak_signature",
                    "misconfiguration",
                    "error",
                    f"{name} is signed with {weak}, which clients no longer accept.",
                    subject=name,
                    hash=weak,
                    position=position,
                )
            )
    return found


def _validity_findings(leaf: CertFacts) -> list[Finding]:
    lifetime = leaf.not_after - leaf.not_before
    limit = max_validity_days(leaf.not_before)
    if lifetime <= timedelta(days=limit):
        return []
    days = math.ceil(lifetime.total_seconds() / 86400)
    return [
        finding(
            "validity_too_long",
            "misconfiguration",
            "warning",
            f"The certificate is valid for {days} days; a public CA may issue at most {limit} "
            f"days for a certificate issued on {leaf.not_before.date().isoformat()}.",
            validity_days=days,
            limit_days=limit,
        )
    ]


@dataclass(frozen=True)
class ChainAnalysis:
    certificates: list[CertificateInfo]
    trusted: bool
    hostname_matches: bool
    trusted_path: list[str]
    findings: list[Finding]


def analyse_chain(
    chain: Sequence[x509.Certificate],
    hostname: str,
    roots: TrustRoots,
    now: datetime,
    expiry_warning_days: int = 30,
) -> ChainAnalysis:
    """Every certificate finding for a chain as presented (leaf first). What a certificate
    says is read once per certificate (CertFacts); everything that depends on `now` or on
    `hostname` is judged here on every call."""
    facts = [certificate_facts(cert) for cert in chain]
    leaf = facts[0]
    verdict = trust_verdict(facts, roots, hostname, now)
    trusted = verdict.trusted or roots.contains(leaf.cert)
    name_ok = covers(leaf, hostname)
    found = _expiry_findings(leaf, now, expiry_warning_days)
    found += [] if name_ok else _name_findings(leaf, hostname)
    if not trusted:
        found += trust_findings(chain, verdict, roots)
    if not leaf.self_signed:
        # A validated path that begins with exactly the presented certificates proves order
        # and completeness; only other chains need the slower walk by signatures.
        if not _begins_with(verdict.path, facts):
            found += structure_findings(chain, roots)
        found += _intermediate_findings(facts, now)
    found += _strength_findings(facts)
    found += _validity_findings(leaf)
    return ChainAnalysis(
        certificates=[describe(cert, now) for cert in facts],
        trusted=trusted,
        hostname_matches=name_ok,
        trusted_path=[certificate_facts(cert).fingerprint for cert in verdict.path],
        findings=found,
    )


def _begins_with(path: Sequence[x509.Certificate], chain: Sequence[CertFacts]) -> bool:
    """Whether `path` starts with exactly the certificates of `chain` (by their DER)."""
    return len(path) >= len(chain) and all(
        certificate_facts(cert).der == facts.der
        for cert, facts in zip(path[: len(chain)], chain, strict=True)
    )
