"""The certificate monitor's state machine: from the previous state and one tls reading to the
new state and the events of 003 to send. Pure: no I/O, the time is given.

| observation | event |
|---|---|
| the days left enter a lower threshold bracket (or the certificate has expired) | `cert.expiration.trigger` (`expiry_days`, negative once expired) |
| the certificate changed while a bracket was announced (a renewal) | `cert.expiration.resolve` (`expiry_days` of the new one) |
| the certificate changed with no bracket announced | `cert.changed` (`previous_fingerprint`, `new_fingerprint`) |
| errors appear that were not active | `cert.error.trigger` (`errors`: only the new ones, `current_errors`) |
| active errors are gone | `cert.error.resolve` (`resolved_errors`, `current_errors`) |

The profile's switches decide what counts: `alert_on_expiration` the brackets and expiry
errors, `alert_on_changes` `cert.changed`, and each other switch its category of findings.
When no certificate could be read, the certificate's own errors stay as they were (nothing
was observed about them) and only the connection errors change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from watchwire.clock import isoformat
from watchwire.probes.base import Finding

EXPIRED = -1
DAY_SECONDS = 86_400

# The tls probe's finding category -> the profile switch that selects it (003, GAPS.md).
SWITCH_OF: dict[str, str] = {
    "expiration": "alert_on_expiration",
    "name_mismatch": "alert_on_name_mismatch",
    "ca_failure": "alert_on_ca_failure",
    "connection_failure": "alert_on_connection_failure",
    "caa_failure": "alert_on_caa_failure",
    "misconfiguration": "alert_on_misconfigurations",
}
# Brackets announce "expiring soon"; the probe's own cert_expiring (judged against its fixed
# warning days) would duplicate them. Info findings are not errors ("no verdict" states).
NOT_ERRORS = frozenset({"cert_expiring"})
ERROR_SEVERITIES = frozenset({"warning", "error", "critical"})


@dataclass(frozen=True, slots=True)
class Profile:
    """The switches of a certificate profile (003's defaults)."""

    expiration_thresholds: tuple[int, ...] = (30, 14, 7)
    alert_on_expiration: bool = True
    alert_on_name_mismatch: bool = True
    alert_on_ca_failure: bool = True
    alert_on_connection_failure: bool = True
    alert_on_caa_failure: bool = False
    alert_on_misconfigurations: bool = True
    alert_on_changes: bool = True

    def selects(self, category: str) -> bool:
        switch = SWITCH_OF.get(category)
        return bool(switch and getattr(self, switch))


@dataclass(frozen=True, slots=True)
class CertState:
    """What the monitor remembers between checks."""

    fingerprint: str | None = None
    bracket: int | None = None
    # Active errors by finding code: {id, code, error_type, severity, message, first_seen, last_seen}
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reading:
    """One check's observation: the leaf's fingerprint and expiry (None when no certificate
    was read) and the probe's findings."""

    fingerprint: str | None
    not_after: datetime | None
    findings: Sequence[Finding] = ()


@dataclass(frozen=True, slots=True)
class Emit:
    type: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Verdict:
    state: CertState
    events: list[Emit]
    new_errors: list[dict[str, Any]]
    resolved_errors: list[dict[str, Any]]


def expiry_days(not_after: datetime, now: datetime) -> int:
    """Whole days left, rounded down: negative once expired (-1 on the first day after)."""
    return int((not_after - now).total_seconds() // DAY_SECONDS)


def bracket_of(days: int, thresholds: Sequence[int]) -> int | None:
    """The lowest threshold the days left are at or under, EXPIRED once expired, else None."""
    if days < 0:
        return EXPIRED
    crossed = [t for t in thresholds if days <= t]
    return min(crossed) if crossed else None


def _entered(bracket: int | None, announced: int | None) -> bool:
    """A bracket is new when none was announced or it is nearer expiry than the announced one."""
    if bracket is None:
        return False
    return announced is None or bracket < announced


def _category(item: Finding) -> str:
    return str((item.details or {}).get("category", ""))


def observed_errors(findings: Sequence[Finding], profile: Profile) -> dict[str, Finding]:
    """The findings that count as errors under the profile, one per code (first wins)."""
    errors: dict[str, Finding] = {}
    for item in findings:
        if (
            item.severity in ERROR_SEVERITIES
            and item.code not in NOT_ERRORS
            and profile.selects(_category(item))
        ):
            errors.setdefault(item.code, item)
    return errors


def _diff_errors(
    previous: dict[str, dict[str, Any]],
    reading: Reading,
    profile: Profile,
    now: datetime,
    new_id: Callable[[], str],
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    seen = observed_errors(reading.findings, profile)
    current: dict[str, dict[str, Any]] = {}
    if reading.fingerprint is None:
        # Nothing was learnt about the certificate: keep its errors, replace connection ones.
        current = {
            code: error
            for code, error in previous.items()
            if error["error_type"] != "connection_failure" and profile.selects(error["error_type"])
        }
        seen = {c: f for c, f in seen.items() if _category(f) == "connection_failure"}
    new: list[dict[str, Any]] = []
    for code, item in seen.items():
        before = previous.get(code)
        entry = {
            "id": before["id"] if before else new_id(),
            "code": code,
            "error_type": _category(item),
            "severity": item.severity,
            "message": item.message,
            "first_seen": before["first_seen"] if before else isoformat(now),
            "last_seen": isoformat(now),
        }
        current[code] = entry
        if before is None:
            new.append(entry)
    resolved = [error for code, error in previous.items() if code not in current]
    return current, new, resolved


def evaluate(
    previous: CertState,
    reading: Reading,
    profile: Profile,
    now: datetime,
    new_id: Callable[[], str],
) -> Verdict:
    """The new state and the events of one check. `new_id` names a newly found error (CE…)."""
    events: list[Emit] = []
    fingerprint = reading.fingerprint or previous.fingerprint
    bracket = previous.bracket
    if reading.fingerprint is not None and reading.not_after is not None:
        days = expiry_days(reading.not_after, now)
        changed = previous.fingerprint is not None and reading.fingerprint != previous.fingerprint
        if changed and previous.bracket is not None:
            events.append(Emit("cert.expiration.resolve", {"expiry_days": days}))
            bracket = None
        elif changed and profile.alert_on_changes:
            events.append(
                Emit(
                    "cert.changed",
                    {
                        "previous_fingerprint": previous.fingerprint,
                        "new_fingerprint": reading.fingerprint,
                    },
                )
            )
        now_bracket = (
            bracket_of(days, profile.expiration_thresholds) if profile.alert_on_expiration else None
        )
        if _entered(now_bracket, bracket):
            events.append(Emit("cert.expiration.trigger", {"expiry_days": days}))
            bracket = now_bracket
        elif now_bracket is None:
            bracket = None  # far from expiry again (a longer-lived certificate, a new profile)
    errors, new, resolved = _diff_errors(previous.errors, reading, profile, now, new_id)
    current = list(errors.values())
    if new:
        events.append(Emit("cert.error.trigger", {"errors": new, "current_errors": current}))
    if resolved:
        events.append(
            Emit("cert.error.resolve", {"resolved_errors": resolved, "current_errors": current})
        )
    return Verdict(CertState(fingerprint, bracket, errors), events, new, resolved)
