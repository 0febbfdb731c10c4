"""Watching the certificate of an https monitor: `ssl.expiring` when the days left cross one
of the monitor's thresholds (once per threshold), `ssl.expired` once when it has expired.

The certificate is read with the tls probe at most every `recheck` interval (certificates
change rarely; the uptime check runs every minute), and the announced threshold is kept on
the monitor so a renewal followed by a new expiry announces again.
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


@dataclass(frozen=True, slots=True)
class CertReading:
    not_after: str
    days_left: int


@dataclass(frozen=True, slots=True)
class SslVerdict:
    bracket: int | None
    event: str | None  # ssl.expiring | ssl.expired | None
    threshold: int | None = None


def watched(kind: str, target: str) -> bool:
    """Whether a monitor's certificate is watched: an https target of a kind that says so."""
    return get_kind(kind).watches_certificate and target.lower().startswith("https://")


def due(checked_at: datetime | None, now: datetime, recheck: timedelta = RECHECK) -> bool:
    return checked_at is None or now - checked_at >= recheck


async def read_certificate(target: str, ctx: ProbeContext, timeout: float) -> CertReading | None:
    """The leaf certificate's expiry, or None when no certificate could be read (the uptime
    check reports an unreachable site; this watch only speaks about certificates)."""
    probe, options_model = get_probe("tls")
    parts = urlsplit(target)
    host = parts.hostname or ""
    options = options_model(
        port=parts.port or 443,
        timeout=timeout,
        check_revocation=False,
        check_legacy_versions=False,
    )
    try:
        result: Any = await probe(host, options, ctx)
    except ProbeError:
        return None
    if not result.chain:
        return None
    leaf = result.chain[0]
    return CertReading(not_after=leaf.not_after, days_left=leaf.days_left)


def evaluate(days_left: int, thresholds: list[int], announced: int | None) -> SslVerdict:
    """The bracket the certificate is in and the event to send, if any.

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
