"""What a blocklist check tells: the descriptions and payloads of its events (003's webhook
bodies; every event of one check shares its `check_sid`), and the completed event of a
one-off check, which is about no host of the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchwire.engine.evaluate_rbl import COMPLETED, DELISTED, LISTED, Evaluation
from watchwire.events.event import Event
from watchwire.ids import new_sid
from watchwire.services.rbl.model import one_off_host
from watchwire.store.database import Connection
from watchwire.store.tables import events


def label_of(host: dict[str, Any]) -> str:
    return host["host"] if host["name"] == host["host"] else f"{host['name']} ({host['host']})"


def describe(host: dict[str, Any], evaluation: Evaluation, kind: str, error: str | None) -> str:
    label = label_of(host)
    zones = ", ".join(e["host"] for e in evaluation.listings.values())
    if kind == DELISTED:
        return f"{label} is no longer listed on any blocklist."
    if kind == LISTED:
        return f"{label} is listed on {len(evaluation.listings)} blocklist(s): {zones}."
    state = f"listed on {zones}" if evaluation.listed else "not listed"
    if error is not None:
        return f"Blocklist check of {label} completed with an error ({error}): {state}."
    return f"Blocklist check of {label} completed: {state}."


def failed_description(label: str, error: str) -> str:
    return f"Blocklist check of {label} could not run: {error}."


def result_payload(
    check_sid: str,
    host: dict[str, Any],
    listings: list[dict[str, Any]],
    error: str | None = None,
) -> dict[str, Any]:
    """003's body of a check's events; `error` says why a check could not (fully) run."""
    payload: dict[str, Any] = {
        "check_sid": check_sid,
        "host": host,
        "listed": bool(listings),
        "total": len(listings),
        "details": listings,
    }
    if error is not None:
        payload["error"] = error
    return payload


async def one_off_event(
    conn: Connection,
    check: Any,
    now: datetime,
    summary: dict[str, Any] | None,
    error: str | None,
) -> Event:
    """The completed event of a one-off check (`summary` None: it could not run). It is about
    no host of the account, so it is recorded for the callback and the event log only: no
    subscription or contact gets it."""
    host = one_off_host(check.host, check.target_type)
    listed = summary["listed_details"] if summary is not None else []
    payload = result_payload(check.sid, host, listed, error)
    if summary is None:
        description = failed_description(check.host, error or "unknown error")
    else:
        state = "listed" if summary["listed"] else "not listed"
        how = f" with an error ({error})" if error is not None else ""
        description = f"Blocklist check of {check.host} completed{how}: {state}."
    event = Event(
        sid=new_sid("event"),
        account_sid=check.account_sid,
        type=COMPLETED,
        description=description,
        payload=payload,
        created_at=now,
        resource_type="rbl_check",
        resource_sid=check.sid,
    )
    await conn.execute(
        events.insert().values(
            sid=event.sid,
            account_sid=event.account_sid,
            type=event.type,
            resource_type=event.resource_type,
            resource_sid=event.resource_sid,
            description=event.description,
            payload=payload,
            contact_groups=[],
            created_at=now,
        )
    )
    return event
