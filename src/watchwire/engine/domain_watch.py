"""Watching the registration of a monitored host's domain: the registered domain of the
monitor's host (`www.shop.example.co.uk` → `example.co.uk`, probes/rdap/registered.py), its
expiry read over RDAP once a day next to a check, and `domain.expiring` once per threshold
crossed (engine/evaluate_domains.py's `evaluate_expiry`, the same brackets as monitored
domains), once more when it has expired; a renewal resets the watch.

A registry that did not answer is asked again after `ERROR_RETRY`; the expiry last read is
kept meanwhile (an outage of the registry is no news about the registration). Monitors of an
address, a single-label name or a name without RDAP service have no domain to watch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from watchwire.clock import as_utc
from watchwire.engine.checks import monitor_payload
from watchwire.engine.evaluate_domains import EXPIRED, evaluate_expiry
from watchwire.engine.kinds import get_kind
from watchwire.errors import ProbeError
from watchwire.events.monitor_snapshot import snapshot
from watchwire.events.store import record_event
from watchwire.probes import targets
from watchwire.probes.base import ProbeContext
from watchwire.probes.rdap import rdap
from watchwire.probes.rdap.registered import registered_domain
from watchwire.store.database import Connection

INTERVAL = timedelta(days=1)
ERROR_RETRY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class DomainReading:
    """One RDAP answer about the monitor's domain: its expiry and days left when the
    registry said, else the reason it did not."""

    domain: str
    expires_at: datetime | None = None
    days_left: int | None = None
    registrar: str | None = None
    rdap_server: str | None = None
    error: str | None = None


def domain_of(kind: str, target: str) -> str | None:
    """The registered domain of the monitor's host, or None when it names none."""
    if not get_kind(kind).takes_target:
        return None
    if "://" in target:
        host = urlsplit(target).hostname or ""
    else:
        try:
            host, _ = targets.split(target)
        except ValueError:
            return None
    return registered_domain(host)


def due(row: Any, now: datetime) -> bool:
    """Whether the monitor's domain is to be read now: never read, or read a day ago (six
    hours after a failed reading)."""
    checked_at: datetime | None = as_utc(row.domain_checked_at)
    if checked_at is None:
        return True
    wait = ERROR_RETRY if row.domain_error else INTERVAL
    return now - checked_at >= wait


async def read_domain(domain: str, ctx: ProbeContext, bootstrap_file: Path | None) -> DomainReading:
    """The registration of `domain` as its registry's RDAP service tells it."""
    try:
        result = await rdap.probe(domain, rdap.Options(bootstrap_file=bootstrap_file), ctx)
    except ProbeError as exc:
        return DomainReading(domain, error=exc.message)
    if result.expires_at is None or result.days_left is None:
        return DomainReading(
            domain,
            registrar=result.registrar,
            rdap_server=result.rdap_server,
            error=result.reason or f"the registry publishes no expiry date for {domain}",
        )
    return DomainReading(
        domain,
        expires_at=datetime.fromisoformat(result.expires_at.replace("Z", "+00:00")),
        days_left=result.days_left,
        registrar=result.registrar,
        rdap_server=result.rdap_server,
    )


async def record_reading(
    conn: Connection,
    row: Any,
    reading: DomainReading,
    thresholds: list[int],
    update: dict[str, Any],
    now: datetime,
    *,
    held: bool,
) -> int:
    """Put the reading into `update` (the monitor's batch update) and record the
    `domain.expiring` event it calls for; the number of events."""
    update["v_domain_checked_at"] = now
    update["v_domain_error"] = reading.error
    if reading.domain != row.domain_name:
        # Another domain (the target changed): nothing announced about this one yet.
        update.update(v_domain_name=reading.domain, v_domain_expires_at=None, v_domain_bracket=None)
        announced = None
    else:
        announced = row.domain_bracket
    if reading.expires_at is None or reading.days_left is None:
        return 0
    verdict = evaluate_expiry(reading.days_left, thresholds, announced)
    update.update(v_domain_expires_at=reading.expires_at, v_domain_bracket=verdict.bracket)
    if verdict.event is None:
        return 0
    expired = verdict.bracket == EXPIRED
    when = "has expired" if expired else f"expires in {reading.days_left} days"
    stamp = reading.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    await record_event(
        conn,
        account_sid=row.account_sid,
        type="domain.expiring",
        description=f"The registration of {reading.domain}, the domain of {row.target}, "
        f"{when} ({stamp}).",
        payload={
            "monitor": monitor_payload(row),
            "domain": reading.domain,
            "expires_at": stamp,
            "days_left": reading.days_left,
            "threshold": verdict.threshold,
            "expired": expired,
            "registrar": reading.registrar,
            "rdap_server": reading.rdap_server,
            "source": "RDAP",
            "snapshot": await snapshot(conn, row, now, update),
        },
        now=now,
        resource_type="monitor",
        resource_sid=row.sid,
        contact_groups=list(row.contact_groups),
        recipients=row.recipients,
        held=held,
    )
    return 1
