"""Trust in a presented chain: the anchors it may lead to, and the path validation that says
whether it does (RFC 5280 and the CA/Browser Forum profile, by cryptography's verifier).

A verdict is remembered for the same chain, trust store and name for as long as the
validation time stays inside a window in which no certificate that can take part starts or
ends its validity (`_cache.VerdictCache`): inside it the verifier's answer cannot change.
"""

from __future__ import annotations

import functools
import ipaddress
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    Subject,
    VerificationError,
)

from watchwire.probes.tls._cache import VerdictCache
from watchwire.probes.tls.certificate import (
    CertFacts,
    certificate_facts,
    issued_by,
    normalise_hostname,
)


@dataclass(frozen=True)
class TrustRoots:
    """A set of trust anchors: the system store or a configured CA bundle."""

    certificates: tuple[x509.Certificate, ...]
    store: Store = field(repr=False)
    source: str = "system"

    @classmethod
    def from_pem(cls, data: bytes, source: str = "system") -> TrustRoots:
        certs = tuple(_load_each_pem_certificate(data))
        if not certs:
            raise ValueError("no PEM certificate found")
        return cls(certificates=certs, store=Store(list(certs)), source=source)

    @functools.cached_property
    def by_subject(self) -> dict[x509.Name, tuple[x509.Certificate, ...]]:
        """The anchors by subject name: the only ones that can issue a given certificate."""
        index: dict[x509.Name, tuple[x509.Certificate, ...]] = {}
        for root in self.certificates:
            index[root.subject] = (*index.get(root.subject, ()), root)
        return index

    @functools.cached_property
    def _anchor_ders(self) -> frozenset[bytes]:
        return frozenset(
            root.public_bytes(serialization.Encoding.DER) for root in self.certificates
        )

    def issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        # Names first: a signature check per root would also flood issued_by's cache.
        candidates = self.by_subject.get(certificate_facts(cert).issuer_name, ())
        return next((root for root in candidates if issued_by(cert, root)), None)

    def contains(self, cert: x509.Certificate) -> bool:
        return certificate_facts(cert).der in self._anchor_ders


_PEM_END: Final = b"-----END CERTIFICATE-----"


def _load_each_pem_certificate(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle that parses: one odd root in a system store (there is
    one with a non-positive serial) must not make the whole store unusable."""
    certs = []
    for block in data.split(_PEM_END)[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                certs.append(x509.load_pem_x509_certificate(block + _PEM_END))
            except ValueError:
                continue
    return certs


@dataclass(frozen=True)
class TrustVerdict:
    trusted: bool
    path: list[x509.Certificate]
    error: str | None = None


def _server_auth_allowed(
    _: Policy, __: x509.Certificate, usage: x509.ExtendedKeyUsage | None
) -> None:
    if usage is not None and not {
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    } & set(usage):
        raise ValueError("the extended key usage does not allow TLS server authentication")


# The CA/B Forum profile, except that the criticality of subjectAltName and extendedKeyUsage is
# not judged: browsers and OpenSSL do not, and private CAs (trustme among them) mark them so.
_CA_POLICY: Final = ExtensionPolicy.webpki_defaults_ca()
_EE_POLICY: Final = (
    ExtensionPolicy.webpki_defaults_ee()
    .require_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _server_auth_allowed)
)


def _verification_subject(leaf: CertFacts, hostname: str) -> Subject:
    # Trust is judged apart from the name (a mismatch is its own finding), so the verifier is
    # given a name the certificate claims.
    for name in leaf.sans:
        try:
            return x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            return x509.DNSName(name.replace("*", "wildcard", 1))
    return x509.DNSName(normalise_hostname(hostname) or "invalid")


_VERDICTS: Final[VerdictCache[TrustVerdict]] = VerdictCache()
_TICK: Final = timedelta(microseconds=1)


def trust_verdict(
    chain: Sequence[CertFacts], roots: TrustRoots, hostname: str, now: datetime
) -> TrustVerdict:
    """Build and check a path from the leaf to a trust anchor (RFC 5280 + CA/B Forum rules,
    by cryptography's verifier). Time is clamped into the leaf's validity: an expired leaf is
    reported as expired, not also as untrusted.

    The verdict is remembered for the same chain, store and name. The verifier's only use of
    time is each certificate's validity, so its answer holds for as long as the validation
    time stays inside every validity period that can take part (`_validity_window`)."""
    leaf = chain[0]
    at = min(max(now, leaf.not_before), leaf.not_after)
    ders = tuple(facts.der for facts in chain)
    verdict = _VERDICTS.get(ders, roots, hostname, at)
    if verdict is None:
        verdict = _verify(chain, roots, hostname, at)
        _VERDICTS.put(ders, roots, hostname, _validity_window(chain, roots, at), verdict)
    return verdict


def _verify(
    chain: Sequence[CertFacts], roots: TrustRoots, hostname: str, at: datetime
) -> TrustVerdict:
    try:
        verifier = (
            PolicyBuilder()
            .store(roots.store)
            .time(at)
            .extension_policies(ca_policy=_CA_POLICY, ee_policy=_EE_POLICY)
            .build_server_verifier(_verification_subject(chain[0], hostname))
        )
        path = verifier.verify(chain[0].cert, [facts.cert for facts in chain[1:]])
    except (VerificationError, ValueError) as exc:
        return TrustVerdict(trusted=False, path=[], error=str(exc))
    return TrustVerdict(trusted=True, path=list(path))


def _validity_window(
    chain: Sequence[CertFacts], roots: TrustRoots, at: datetime
) -> tuple[datetime, datetime]:
    """The longest stretch of time around `at` in which no certificate a path can hold starts
    or ends its validity, so in which the verifier's answer cannot change. With every
    certificate valid this is (latest notBefore, earliest notAfter); a certificate already
    expired (an old cross-sign sent along) or not yet valid stays so, and only bounds the
    stretch on its side. The certificates: the presented ones, and the anchors named as the
    issuer of any of them (an anchor ends a path, so no other store certificate takes part)."""
    anchors = [root for facts in chain for root in roots.by_subject.get(facts.issuer_name, ())]
    periods = [(facts.not_before, facts.not_after) for facts in chain]
    periods += [(root.not_valid_before_utc, root.not_valid_after_utc) for root in anchors]
    # A certificate is valid for not_before <= at <= not_after; times are exact to the µs.
    earliest = max(
        [start for start, _ in periods if start <= at]
        + [end + _TICK for _, end in periods if end < at]
    )
    latest = min(
        [start - _TICK for start, _ in periods if start > at]
        + [end for _, end in periods if end >= at]
    )
    return earliest, latest
