"""Webhook payload formats: one module per seed document's format, each with one
`WebhookFormat` (the document an event becomes, the signature headers its receivers check,
and its rules: which secrets sign during a rotation, which subscription options it honours),
and this registry, the only place that lists them.

    standard       {id, type, timestamp, description, resource, data}   (watchwire's own)
    enterno        {id, event, created_at, description, data}           (000; body not shown there)
    generatorlabs  {event_sid, event_type, event_date, ...payload}      (003's webhook bodies)
    entri          {id (uuid), user_id, domain, subdomain, type, data}  (002 / GAPS.md)
    updown         [{event, time, description, check, ...}]             (001: always an array)

Events keep watchwire's neutral shape (events/store.py); what differs is only the envelope
and the headers. Every request also carries the Standard Webhooks headers
(delivery/signing.py). Subscriptions are validated against `FORMATS`
(services/subscriptions.py) and receivers verify them with `watchwire.webhooks`.
"""

from __future__ import annotations

from watchwire.delivery.formats import enterno, entri, generatorlabs, standard, updown
from watchwire.delivery.formats.base import WebhookFormat

FORMATS: dict[str, WebhookFormat] = {
    f.name: f
    for f in (standard.FORMAT, enterno.FORMAT, generatorlabs.FORMAT, entri.FORMAT, updown.FORMAT)
}
