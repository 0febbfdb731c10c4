"""Certificate chain analysis for the tls probe: pure functions from a presented chain and a
few observations to findings, so every rule can be tested without a server.

Each finding has a stable code, a plain sentence and `details["category"]`, one of the alert
categories of a certificate profile (expiration, name_mismatch, ca_failure,
connection_failure, caa_failure, misconfiguration). The seventh switch, `changes`, is served by
the evaluator comparing the leaf's `fingerprint_sha256` between checks, not by a finding.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
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
from pydantic import BaseModel

from watchwire.clock import isoformat
from watchwire.probes._tls_cache import CertificateCache, VerdictCache
from watchwire.probes.base import Finding

Category = Literal[
    "expiration",
    "name_mismatch",
    "ca_failure",
    "connection_failure",
    "caa_failure",
    "misconfiguration",
]
Severity = Literal["info", "warning", "error", "critical"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# What an iPAddress general name holds (networks appear in name constraints, not in SANs).
SanIP = IPAddress | ipaddress.IPv4Network | ipaddress.IPv6Network

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


class CertificateInfo(BaseModel):
    """One certificate as the server presented it."""

    subject: str
    issuer: str
    common_name: str | None
    sans: list[str]
    serial: str
    not_before: str
    not_after: str
    days_left: int
    key_type: str
    key_size: int
    curve: str | None = None
    signature_algorithm: str
    fingerprint_sha256: str
    is_ca: bool
    self_signed: bool


def fingerprint_sha256(cert: x509.Certificate) -> str:
    """The `SHA256:aa:bb:…` form of 003's cert.changed event."""
    return certificate_facts(cert).fingerprint


def _fingerprint_of_der(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest()
    return "SHA256:" + ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def key_description(cert: x509.Certificate) -> tuple[str, int, str | None]:
    """(key type, size in bits, curve name) of the certificate's public key."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return type(key).__name__, 0, None


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


@functools.lru_cache(maxsize=1024)
def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer` signed `cert` (name chaining and a valid signature)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (UnsupportedAlgorithm, ValueError):
        # cryptography will not check a SHA-1 signature ("Unsupported signature algorithm");
        # such a certificate still chains for this purpose, and the key identifiers decide.
        return _key_identifiers_match(cert, issuer)
    except (TypeError, InvalidSignature):
        return False
    return True


def _key_identifiers_match(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return True
    return aki.key_identifier is None or aki.key_identifier == ski.digest


def is_self_signed(cert: x509.Certificate) -> bool:
    return certificate_facts(cert).self_signed


def _days_until(not_after: datetime, now: datetime) -> int:
    return math.floor((not_after - now).total_seconds() / 86400)


def _describe(facts: CertFacts, now: datetime) -> CertificateInfo:
    """The certificate's description at `now`: the cached template with this call's days
    left (and a list of names of its own, so that no two results share one)."""
    return facts.info.model_copy(
        update={"days_left": _days_until(facts.not_after, now), "sans": list(facts.sans)}
    )


def _signature_algorithm(cert: x509.Certificate) -> str:
    return getattr(
        cert.signature_algorithm_oid, "_name", cert.signature_algorithm_oid.dotted_string
    )


# --- what a certificate says, once per certificate ------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class CertFacts:
    """What a certificate says that depends neither on the time nor on the name asked for,
    worked out once per distinct certificate (keyed by its exact DER bytes). Expiry, days
    left and the host name check are computed from these on every call."""

    cert: x509.Certificate
    der: bytes
    subject_name: x509.Name
    issuer_name: x509.Name
    subject: str
    not_before: datetime
    not_after: datetime
    has_san: bool
    sans: tuple[str, ...]  # dNSNames, then iPAddresses as text, as the certificate lists them
    dns_names: tuple[str, ...]
    dns_patterns: tuple[str, ...]  # the dNSNames normalised for matching
    ip_names: tuple[SanIP, ...]
    key_type: str
    key_size: int
    weak_hash: str | None
    self_signed: bool
    fingerprint: str
    info: CertificateInfo  # days_left 0: _describe fills in the call's


def _build_facts(cert: x509.Certificate, der: bytes) -> CertFacts:
    key_type, key_size, curve = key_description(cert)
    try:
        san: x509.SubjectAlternativeName | None = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value
    except x509.ExtensionNotFound:
        san = None
    dns_names = tuple(san.get_values_for_type(x509.DNSName)) if san else ()
    ip_names = tuple(san.get_values_for_type(x509.IPAddress)) if san else ()
    sans = dns_names + tuple(str(ip) for ip in ip_names)
    common_names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    serial = format(cert.serial_number, "x")
    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    self_signed, fingerprint = issued_by(cert, cert), _fingerprint_of_der(der)
    info = CertificateInfo(
        subject=subject,
        issuer=issuer,
        common_name=str(common_names[0].value) if common_names else None,
        sans=list(sans),
        serial=serial.zfill(len(serial) + len(serial) % 2),
        not_before=isoformat(cert.not_valid_before_utc),
        not_after=isoformat(cert.not_valid_after_utc),
        days_left=0,
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        signature_algorithm=_signature_algorithm(cert),
        fingerprint_sha256=fingerprint,
        is_ca=is_ca(cert),
        self_signed=self_signed,
    )
    return CertFacts(
        cert=cert,
        der=der,
        subject_name=cert.subject,
        issuer_name=cert.issuer,
        subject=subject,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        has_san=san is not None,
        sans=sans,
        dns_names=dns_names,
        dns_patterns=tuple(normalise_hostname(name) for name in dns_names),
        ip_names=ip_names,
        key_type=key_type,
        key_size=key_size,
        weak_hash=_weak_hash(cert),
        self_signed=self_signed,
        fingerprint=fingerprint,
        info=info,
    )


_CERTIFICATES: Final = CertificateCache(_build_facts)


def certificate_facts(cert: x509.Certificate) -> CertFacts:
    return _CERTIFICATES.of(cert)


def load_der_certificate(der: bytes) -> x509.Certificate:
    """The certificate with this DER encoding, parsed once and then handed out again (an
    x509.Certificate is immutable). ValueError when the bytes are no certificate."""
    return _CERTIFICATES.from_der(der)[0]


# --- names -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # a pure function of the text; monitors ask the same names
def normalise_hostname(hostname: str) -> str:
    """Lower case, no trailing dot, internationalised labels as A-labels (xn--…)."""
    name = hostname.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def name_matches(pattern: str, hostname: str) -> bool:
    """RFC 6125 matching of one SAN dNSName against a host name, as browsers do it: a wildcard
    is allowed only as the whole left-most label, covers exactly one label, and needs at least
    two labels after it (`*.com` matches nothing)."""
    return _normalised_name_matches(normalise_hostname(pattern), normalise_hostname(hostname))


def _normalised_name_matches(pattern: str, hostname: str) -> bool:
    if not pattern or not hostname:
        return False
    if not pattern.startswith("*."):
        return "*" not in pattern and pattern == hostname
    suffix = pattern[2:]
    if "*" in suffix or suffix.count(".") < 1:
        return False
    label, _, rest = hostname.partition(".")
    return bool(label) and rest == suffix


def _covers(facts: CertFacts, hostname: str) -> bool:
    """The host name check, made on every call from the certificate's cached names."""
    ip = _ip_literal(hostname)
    if ip is not None:
        return ip in facts.ip_names
    wanted = normalise_hostname(hostname)
    return any(_normalised_name_matches(pattern, wanted) for pattern in facts.dns_patterns)


@functools.lru_cache(maxsize=4096)
def _ip_literal(hostname: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return None


def matching_san(cert: x509.Certificate, hostname: str) -> str | None:
    """The SAN dNSName that covers the host name, e.g. `*.example.com`; None when none does."""
    facts = certificate_facts(cert)
    wanted = normalise_hostname(hostname)
    matching = sorted(
        (
            name
            for name, pattern in zip(facts.dns_names, facts.dns_patterns, strict=True)
            if _normalised_name_matches(pattern, wanted)
        ),
        key=lambda n: "*" in n,
    )
    return matching[0] if matching else None


# --- trust -----------------------------------------------------------------------------------


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


def verify_trust(
    chain: Sequence[x509.Certificate], roots: TrustRoots, hostname: str, now: datetime
) -> TrustVerdict:
    """Build and check a path from the leaf to a trust anchor (RFC 5280 + CA/B Forum rules,
    by cryptography's verifier). Time is clamped into the leaf's validity: an expired leaf is
    reported as expired, not also as untrusted."""
    return _trust_verdict([certificate_facts(cert) for cert in chain], roots, hostname, now)


def _trust_verdict(
    chain: Sequence[CertFacts], roots: TrustRoots, hostname: str, now: datetime
) -> TrustVerdict:
    """verify_trust, remembered for the same chain, store and name. The verifier's only use of
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


# --- the rules -------------------------------------------------------------------------------


def max_validity_days(not_before: datetime) -> int:
    """The public maximum validity in days for a certificate issued at `not_before`."""
    for since, days in VALIDITY_LIMITS:
        if not_before >= since:
            return days
    return VALIDITY_LIMIT_BEFORE_2026


def _expiry_findings(leaf: CertFacts, now: datetime, warning_days: int) -> list[Finding]:
    left = _days_until(leaf.not_after, now)
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


def _weak_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    return algorithm.name.upper() if isinstance(algorithm, hashes.SHA1 | hashes.MD5) else None


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
    verdict = _trust_verdict(facts, roots, hostname, now)
    trusted = verdict.trusted or roots.contains(leaf.cert)
    name_ok = _covers(leaf, hostname)
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
        certificates=[_describe(cert, now) for cert in facts],
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
