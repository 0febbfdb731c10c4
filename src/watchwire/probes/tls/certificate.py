"""What a certificate says, worked out once per certificate: its description, its key, its
names and whether they cover a host name.

Monitors see the same certificates again and again, so everything here that depends neither on
the time nor on the name asked for is kept in `CertFacts`, cached by the certificate's exact
DER bytes (`_cache.CertificateCache`); expiry and the host name check are computed from those
facts on every call. `fingerprint_sha256` is the leaf identity the certificate evaluator
compares between checks.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from pydantic import BaseModel

from watchwire.clock import isoformat
from watchwire.probes.tls._cache import CertificateCache
from watchwire.target_policy import IPAddress

# What an iPAddress general name holds (networks appear in name constraints, not in SANs).
SanIP = IPAddress | ipaddress.IPv4Network | ipaddress.IPv6Network


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


def days_until(not_after: datetime, now: datetime) -> int:
    """Whole days from `now` to `not_after`, rounded down (negative once it has passed)."""
    return math.floor((not_after - now).total_seconds() / 86400)


def describe(facts: CertFacts, now: datetime) -> CertificateInfo:
    """The certificate's description at `now`: the cached template with this call's days
    left (and a list of names of its own, so that no two results share one)."""
    return facts.info.model_copy(
        update={"days_left": days_until(facts.not_after, now), "sans": list(facts.sans)}
    )


def _signature_algorithm(cert: x509.Certificate) -> str:
    return getattr(
        cert.signature_algorithm_oid, "_name", cert.signature_algorithm_oid.dotted_string
    )


def _weak_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    return algorithm.name.upper() if isinstance(algorithm, hashes.SHA1 | hashes.MD5) else None


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
    info: CertificateInfo  # days_left 0: describe() fills in the call's


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


def covers(facts: CertFacts, hostname: str) -> bool:
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
