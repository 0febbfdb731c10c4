"""Watching the certificate of an uptime monitor (https targets, `tcps` and `ssl` kinds): what
the monitor keeps about it, and the events when that changes.

The certificate is read at most every `recheck` interval (certificates change rarely; the
uptime check runs every minute) with the tcps probe: one TCP connection and handshake, the
chain judged by the tls family's rules (a path to a trusted root, the name, the dates, the
key), against the monitor's own trust roots and server name. `evaluate` is the pure state
machine; engine/ssl_record.py writes its verdict and events.

| observation (certificate read)                          | event |
|---|---|
| not valid, and it was valid or not yet read             | `ssl.invalid` (`error`) |
| valid again after `ssl.invalid` or `ssl.expired`        | `ssl.valid` |
| another valid leaf that expires later than the one kept | `ssl.renewed` (`old_certificate`, `certificate`) |
| the days left cross a threshold (once per threshold)    | `ssl.expiring` (`threshold_days`) |
| the certificate has expired (once)                      | `ssl.expired`, instead of `ssl.invalid` |

A reading without a certificate (the site is down, the handshake failed) says nothing about
the certificate: the state stays as it was and the uptime check reports the outage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from watchwire.engine.kinds import get_kind
from watchwire.errors import ProbeError
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext

EXPIRED = -1
RECHECK = timedelta(hours=6)
# The tcps monitor options that say how to judge the certificate; the rest is about the check.
_TRUST_OPTIONS = ("port", "server_name", "ca_file", "ca_pem", "family")


@dataclass(frozen=True, slots=True)
class Certificate:
    """The leaf as read: what a person needs to recognise it, and its fingerprint."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    key_algorithm: str  # "EC P-256", "RSA 2048"
    signature_algorithm: str
    serial: str
    fingerprint_sha256: str

    def to_json(self) -> dict[str, str]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "key_algorithm": self.key_algorithm,
            "signature_algorithm": self.signature_algorithm,
            "serial": self.serial,
            "fingerprint_sha256": self.fingerprint_sha256,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Certificate:
        return cls(**{name: str(data.get(name, "")) for name in cls.__slots__})


@dataclass(frozen=True, slots=True)
class CertReading:
    """One reading: the leaf, its days left (at the reading's time), and the verdict."""

    certificate: Certificate
    days_left: int
    valid: bool
    error: str | None = None

    @property
    def not_after(self) -> str:
        return self.certificate.not_after


@dataclass(frozen=True, slots=True)
class SslState:
    """What the monitor keeps between readings."""

    valid: bool | None = None
    certificate: Certificate | None = None
    bracket: int | None = None  # the threshold announced; EXPIRED after ssl.expired


@dataclass(frozen=True, slots=True)
class SslEvent:
    type: str  # ssl.invalid | ssl.valid | ssl.renewed | ssl.expiring | ssl.expired
    threshold: int | None = None
    old_certificate: Certificate | None = None


@dataclass(frozen=True, slots=True)
class SslVerdict:
    bracket: int | None
    event: str | None  # ssl.expiring | ssl.expired | None
    threshold: int | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    state: SslState
    events: tuple[SslEvent, ...]


def watched(kind: str, target: str) -> bool:
    """Whether a monitor's certificate is watched: a kind that says so, and for the kinds
    that speak HTTP only an https target."""
    monitor_kind = get_kind(kind)
    if not monitor_kind.watches_certificate:
        return False
    return monitor_kind.probe == "tcps" or target.lower().startswith("https://")


def due(checked_at: datetime | None, now: datetime, recheck: timedelta = RECHECK) -> bool:
    return checked_at is None or now - checked_at >= recheck


def endpoint(kind: str, target: str, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The tcps probe's target and options that read this monitor's certificate: the host and
    port of an https URL, or a tcps/ssl monitor's own target and trust options."""
    if get_kind(kind).probe == "tcps":
        return target, {k: v for k, v in options.items() if k in _TRUST_OPTIONS}
    parts = urlsplit(target)
    host = parts.hostname or ""
    return (f"[{host}]" if ":" in host else host), {"port": parts.port or 443}


def _key_algorithm(info: Any) -> str:
    if info.curve:
        curve = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
        return f"{info.key_type} {curve.get(info.curve, info.curve)}"
    return f"{info.key_type} {info.key_size}"


async def read_certificate(
    kind: str, target: str, options: dict[str, Any], ctx: ProbeContext, timeout: float
) -> CertReading | None:
    """The leaf certificate and the verdict on it, or None when no certificate could be read
    (the uptime check reports an unreachable site; this watch only speaks about
    certificates)."""
    probe, options_model = get_probe("tcps")
    host_port, trust = endpoint(kind, target, options)
    try:
        result: Any = await probe(
            host_port, options_model(**trust, timeout=min(timeout, 120.0)), ctx
        )
    except (ProbeError, ValueError):
        return None
    leaf = result.certificate
    if leaf is None:
        return None
    problems = [f for f in result.findings if f.severity in ("error", "critical")]
    certificate = Certificate(
        subject=leaf.subject,
        issuer=leaf.issuer,
        not_before=leaf.not_before,
        not_after=leaf.not_after,
        key_algorithm=_key_algorithm(leaf),
        signature_algorithm=leaf.signature_algorithm,
        serial=leaf.serial,
        fingerprint_sha256=leaf.fingerprint_sha256,
    )
    return CertReading(
        certificate, leaf.days_left, not problems, problems[0].message if problems else None
    )


def evaluate_expiry(days_left: int, thresholds: list[int], announced: int | None) -> SslVerdict:
    """The bracket the certificate is in and the expiry event to send, if any.

    `announced` is the threshold already announced (EXPIRED after ssl.expired)."""
    if days_left < 0:
        if announced == EXPIRED:
            return SslVerdict(EXPIRED, None)
        return SslVerdict(EXPIRED, "ssl.expired")
    crossed = [t for t in thresholds if days_left <= t]
    if not crossed:
        return SslVerdict(None, None)  # renewed or far from expiry: start afresh
    bracket = min(crossed)
    if announced == bracket:
        return SslVerdict(bracket, None)
    # A lower bracket, or a higher one after a renewal to a short certificate: announce it.
    return SslVerdict(bracket, "ssl.expiring", threshold=bracket)


def _renewed(old: Certificate | None, reading: CertReading) -> bool:
    """Another valid leaf that lasts longer: a renewal. A leaf swapped for one that ends
    sooner, or for one that is not valid, is no renewal (its validity and expiry speak for
    it)."""
    new = reading.certificate
    if old is None or old.fingerprint_sha256 == new.fingerprint_sha256 or not reading.valid:
        return False
    return new.not_after > old.not_after  # ISO 8601 Z times order as text


def evaluate(before: SslState, reading: CertReading, thresholds: list[int]) -> Evaluation:
    """The state after `reading` and the events it causes, in the order they happened
    (a renewal first, then what is true of the new certificate)."""
    events: list[SslEvent] = []
    if _renewed(before.certificate, reading):
        events.append(SslEvent("ssl.renewed", old_certificate=before.certificate))
    expiry = evaluate_expiry(reading.days_left, thresholds, before.bracket)
    if reading.valid and before.valid is False:
        events.append(SslEvent("ssl.valid"))
    elif not reading.valid and before.valid is not False and expiry.event != "ssl.expired":
        # An expiry is announced by ssl.expired alone: one event for one cause.
        events.append(SslEvent("ssl.invalid"))
    if expiry.event is not None:
        events.append(SslEvent(expiry.event, threshold=expiry.threshold))
    state = SslState(reading.valid, reading.certificate, expiry.bracket)
    return Evaluation(state, tuple(events))
