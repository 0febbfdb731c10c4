"""`watchwire.webhooks`, the receivers' side: every registered format, signed by the sender
as it goes out, verifies with the helper for that format, rotation included."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from watchwire import webhooks
from watchwire.delivery import signing
from watchwire.delivery.formats import FORMATS
from watchwire.events.event import Event

EVENT = Event(
    sid="TA" + "5f" * 16,
    account_sid="AC" + "0" * 32,
    type="domain.record_missing",
    description="records missing",
    payload={"domain": "example.com", "subdomain": "www", "data": {"records": []}},
    created_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
)
NOW = int(EVENT.created_at.timestamp())


@pytest.mark.parametrize("format", sorted(FORMATS))
def test_every_format_verifies_for_its_receivers_during_a_rotation(format: str) -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = FORMATS[format].render(EVENT)
    now = int(time.time())  # the standardwebhooks verifier reads the clock
    headers = signing.signature_headers(
        format, [new, old], msg_id=EVENT.sid, timestamp=now, body=body
    )
    assert webhooks.verify(new, headers, body, format=format) == FORMATS[format](EVENT)
    assert Webhook(old).verify(body, headers) == FORMATS[format](EVENT)  # any format
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.verify(signing.new_secret(), headers, body, format=format)


def test_entri_signs_the_id_its_receivers_read_from_the_body() -> None:
    secret = signing.new_secret()
    body = FORMATS["entri"].render(EVENT)
    headers = signing.signature_headers(
        "entri", [secret], msg_id=EVENT.sid, timestamp=NOW, body=body
    )
    assert webhooks.verify(secret, headers, body, format="entri", now=NOW)["id"] == (
        "5f5f5f5f-5f5f-5f5f-5f5f-5f5f5f5f5f5f"
    )
    changed = body.replace(b"5f5f5f5f-", b"5f5f5f5e-")
    with pytest.raises(webhooks.InvalidSignature, match="Entri-Signature-V2"):
        webhooks.verify(secret, headers, changed, format="entri", now=NOW)


def test_only_registered_formats_are_verified() -> None:
    with pytest.raises(ValueError, match="one of standard, enterno, generatorlabs, entri, updown"):
        webhooks.verify("whsec_x", {}, b"{}", format="slack")
