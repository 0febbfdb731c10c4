"""Writing a certificate reading of an uptime monitor (engine/ssl_watch.py): the monitor's
certificate columns into the batch's update, and each event of the verdict through
`record_event`, so their deliveries join the batch's transaction (the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchwire.engine import ssl_watch
from watchwire.engine.checks import monitor_payload
from watchwire.engine.ssl_watch import Certificate, CertReading, SslEvent, SslState
from watchwire.events.monitor_snapshot import snapshot
from watchwire.events.store import record_event
from watchwire.store.database import Connection


def state_of(row: Any) -> SslState:
    """The certificate state kept on a monitor row."""
    kept = row.ssl_certificate
    return SslState(
        valid=row.ssl_valid,
        certificate=Certificate.from_json(kept) if kept else None,
        bracket=row.ssl_bracket,
    )


def certificate_json(certificate: Certificate, days_left: int | None) -> dict[str, Any]:
    return {**certificate.to_json(), "days_left": days_left}


def describe(row: Any, event: SslEvent, reading: CertReading) -> str:
    """The sentence a person reads in the notification."""
    where = row.target
    leaf = reading.certificate
    if event.type == "ssl.invalid":
        return f"The certificate of {where} is not valid: {reading.error}"
    if event.type == "ssl.valid":
        return f"The certificate of {where} is valid again (until {leaf.not_after})."
    if event.type == "ssl.renewed":
        old = event.old_certificate
        until = old.not_after if old else "?"
        return f"The certificate of {where} was renewed: valid until {leaf.not_after}, was {until}."
    if event.type == "ssl.expired":
        return f"The certificate of {where} expired on {leaf.not_after}."
    return (
        f"The certificate of {where} expires in {reading.days_left} days "
        f"(on {leaf.not_after}), within the {event.threshold}-day threshold."
    )


def payload(row: Any, event: SslEvent, reading: CertReading) -> dict[str, Any]:
    """The event's payload: the monitor, the certificate as read (with its days left), its
    validity and error; `threshold_days` for an expiry, `old_certificate` for a renewal."""
    body: dict[str, Any] = {
        "monitor": monitor_payload(row),
        "certificate": certificate_json(reading.certificate, reading.days_left),
        "valid": reading.valid,
        "error": reading.error,
        "threshold_days": event.threshold,
    }
    if event.old_certificate is not None:
        body["old_certificate"] = certificate_json(event.old_certificate, None)
    return body


async def record_reading(
    conn: Connection,
    row: Any,
    reading: CertReading | None,
    update: dict[str, Any],
    now: datetime,
    *,
    held: bool,
) -> int:
    """Put the reading's state into `update` (the monitor's batch update) and record its
    events; the number of events. No reading: only the time of the attempt changes."""
    update["v_ssl_checked_at"] = now
    if reading is None:
        return 0
    evaluation = ssl_watch.evaluate(state_of(row), reading, list(row.ssl_expiry_days))
    state = evaluation.state
    update.update(
        v_ssl_not_after=reading.not_after,
        v_ssl_bracket=state.bracket,
        v_ssl_valid=state.valid,
        v_ssl_error=reading.error,
        v_ssl_certificate=state.certificate.to_json() if state.certificate else None,
    )
    for event in evaluation.events:
        await record_event(
            conn,
            account_sid=row.account_sid,
            type=event.type,
            description=describe(row, event, reading),
            payload={
                **payload(row, event, reading),
                "snapshot": await snapshot(conn, row, now, update),
            },
            now=now,
            resource_type="monitor",
            resource_sid=row.sid,
            contact_groups=list(row.contact_groups),
            recipients=row.recipients,
            held=held,
        )
    return len(evaluation.events)
