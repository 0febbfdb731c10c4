"""The event catalogue: the union of the seed documents' event names, in one place.

Each entry says which document it comes from and what it means. Webhook formats render
these in their own shapes (updown calls `monitor.down` `check.down`, for instance); the
catalogue's names are what subscriptions filter on and what `/v1/events` shows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    source: str
    meaning: str


CATALOG: dict[str, EventType] = {
    e.name: e
    for e in (
        # Uptime monitors (Enterno 000; updown 001 as check.*)
        EventType("monitor.down", "000", "A monitor failed its confirmations and is down."),
        EventType("monitor.up", "000", "A down monitor recovered."),
        EventType("monitor.degraded", "000", "A monitor answers slower than its threshold."),
        EventType(
            "monitor.apdex_drop",
            "001",
            "A monitor's hourly Apdex fell more than 30 % below the lowest of the 5 hours before.",
        ),
        EventType("ssl.expiring", "000", "The certificate of a monitored site expires soon."),
        EventType("ssl.expired", "000", "The certificate of a monitored site has expired."),
        # Certificate validity and renewal of uptime monitors (updown 001 as check.ssl_*)
        EventType("ssl.invalid", "001", "The certificate of a monitored site is not valid."),
        EventType("ssl.valid", "001", "The certificate of a monitored site is valid again."),
        EventType("ssl.renewed", "001", "The certificate of a monitored site was renewed."),
        EventType("domain.expiring", "000", "A domain's registration expires soon."),
        EventType("test", "000", "A test event sent on request."),
        # Certificate monitors (Generator Labs 003)
        EventType("cert.expiration.trigger", "003", "A certificate entered a new expiry bracket."),
        EventType("cert.expiration.resolve", "003", "An expiring certificate was renewed."),
        EventType("cert.error.trigger", "003", "New certificate errors were found."),
        EventType("cert.error.resolve", "003", "Certificate errors were resolved."),
        EventType("cert.changed", "003", "The certificate changed outside an expiry state."),
        # Blocklist monitoring (003)
        EventType("rbl.host.check.started", "003", "A blocklist check of a host started."),
        EventType("rbl.host.check.completed", "003", "A blocklist check of a host completed."),
        EventType("rbl.host.listed", "003", "A host is listed on one or more blocklists."),
        EventType("rbl.host.delisted", "003", "A listed host is no longer listed."),
        # DNS-record monitoring (Entri 002)
        EventType("domain.record_missing", "002", "A monitored DNS record is missing or changed."),
        EventType("domain.record_restored", "002", "All monitored DNS records are back."),
        # Contacts (003): a new or changed contact is sent its confirmation code
        EventType("contact.confirm", "003", "A contact is sent its confirmation code."),
        # Webhook endpoints (updown 001): warnings after 10/100/900 failures, then disabled
        EventType("webhook.failing", "001", "A webhook endpoint keeps failing its deliveries."),
        EventType("webhook.disabled", "001", "A failing webhook endpoint was disabled."),
        # Probe locations' agents (003): every instance silent past the location's timeout
        EventType("agent.timeout", "003", "Every instance of a location's agent went silent."),
        EventType("agent.timeout.resolve", "003", "A timed-out location's agent checks in again."),
    )
}


def is_known(name: str) -> bool:
    return name in CATALOG


# Payload fields only the addressed contact may see (a confirmation code): kept for the
# delivery, never shown by the API.
PRIVATE_PAYLOAD_FIELDS = frozenset({"authcode"})


def public_payload(payload: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in payload.items() if k not in PRIVATE_PAYLOAD_FIELDS}
