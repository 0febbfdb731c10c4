"""Signatures: Standard Webhooks output checked by the public `standardwebhooks` verifier,
enterno and Generator Labs forms by independent code written from their documents, and the
`watchwire.webhooks.verify` helpers for receivers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from watchwire import webhooks
from watchwire.delivery import signing

SECRET = signing.new_secret()
BODY = b'{"id":"TA00","type":"monitor.down"}'


def now() -> int:
    return int(time.time())


def test_a_new_secret_is_standard_webhooks_form() -> None:
    assert SECRET.startswith("whsec_")
    assert len(base64.b64decode(SECRET[6:])) == 32
    assert signing.new_secret() != SECRET


def test_standard_signature_passes_the_standardwebhooks_verifier() -> None:
    ts = now()
    headers = signing.signature_headers("standard", [SECRET], msg_id="TA1", timestamp=ts, body=BODY)
    assert Webhook(SECRET).verify(BODY, headers) == {"id": "TA00", "type": "monitor.down"}


def test_standardwebhooks_verifier_rejects_another_secret_and_a_changed_body() -> None:
    headers = signing.signature_headers(
        "standard", [SECRET], msg_id="TA1", timestamp=now(), body=BODY
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY + b" ", headers)


def test_during_rotation_both_secrets_verify() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.signature_headers(
        "generatorlabs", [new, old], msg_id="TA1", timestamp=now(), body=BODY
    )
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers)
        webhooks.verify(secret, headers, BODY, format="generatorlabs")


def test_enterno_v2_matches_the_documented_php_verifier() -> None:
    ts = now()
    headers = signing.signature_headers("enterno", [SECRET], msg_id="TA1", timestamp=ts, body=BODY)
    # 000: $expected = 'sha256=' . hash_hmac('sha256', $ts . '.' . $body, $secret);
    expected = "sha256=" + hmac.new(SECRET.encode(), f"{ts}.".encode() + BODY, "sha256").hexdigest()
    assert headers["X-Enterno-Timestamp"] == str(ts)
    assert headers["X-Enterno-Signature-V2"] == expected
    assert "X-Enterno-Signature" not in headers  # retired on 2026-07-01: only on request


def test_enterno_legacy_header_only_when_asked() -> None:
    headers = signing.signature_headers(
        "enterno", [SECRET], msg_id="TA1", timestamp=now(), body=BODY, legacy_signature=True
    )
    legacy = "sha256=" + hmac.new(SECRET.encode(), BODY, "sha256").hexdigest()
    assert headers["X-Enterno-Signature"] == legacy


def test_generatorlabs_header_matches_the_documented_steps() -> None:
    ts = now()
    header = signing.signature_headers(
        "generatorlabs", [SECRET], msg_id="TA1", timestamp=ts, body=BODY
    )["X-Webhook-Signature"]
    # 003: extract t and v1, HMAC-SHA256(signing_secret, "{t}.{raw_body}"), compare.
    fields = dict(part.split("=", 1) for part in header.split(","))
    digest = hmac.new(SECRET.encode(), f"{fields['t']}.".encode() + BODY, hashlib.sha256)
    assert fields["t"] == str(ts)
    assert hmac.compare_digest(fields["v1"], digest.hexdigest())


def test_entri_signature_is_the_plain_hash_of_id_timestamp_secret() -> None:
    ts = now()
    headers = signing.signature_headers(
        "entri", [SECRET], msg_id="TA1", timestamp=ts, body=BODY, entri_id="uuid-1"
    )
    expected = hashlib.sha256(f"uuid-1{ts}{SECRET}".encode()).hexdigest()
    assert headers["Entri-Timestamp"] == str(ts)
    assert headers["Entri-Signature-V2"] == expected


def test_an_owner_chosen_secret_keys_hmac_with_its_text() -> None:
    secret = "my-own-long-secret-1234"
    headers = signing.signature_headers("enterno", [secret], msg_id="TA1", timestamp=1, body=b"x")
    assert headers["X-Enterno-Signature-V2"].endswith(
        hmac.new(secret.encode(), b"1.x", "sha256").hexdigest()
    )
    assert (
        Webhook(secret.encode()).verify(
            b'"x"',
            signing.signature_headers(
                "standard", [secret], msg_id="TA1", timestamp=now(), body=b'"x"'
            ),
        )
        == "x"
    )


@pytest.mark.parametrize("format", ["standard", "enterno", "generatorlabs", "updown"])
def test_verify_rejects_stale_timestamps(format: str) -> None:
    stale = now() - 3600
    headers = signing.signature_headers(format, [SECRET], msg_id="TA1", timestamp=stale, body=BODY)
    with pytest.raises(webhooks.InvalidSignature, match="tolerance"):
        webhooks.verify(SECRET, headers, BODY, format=format)
    assert webhooks.verify(SECRET, headers, BODY, format=format, now=stale + 10)


def test_verify_says_which_header_is_missing() -> None:
    with pytest.raises(webhooks.InvalidSignature, match="webhook-id"):
        webhooks.verify(SECRET, {}, BODY)
    with pytest.raises(ValueError, match="unknown format"):
        webhooks.verify(SECRET, {}, BODY, format="nope")


@settings(max_examples=60, deadline=None)
@given(
    body=st.binary(max_size=300),
    format=st.sampled_from(["standard", "enterno", "generatorlabs"]),
    tamper=st.integers(min_value=0, max_value=299),
)
def test_any_tampered_body_is_refused(body: bytes, format: str, tamper: int) -> None:
    document = b'{"v":"' + base64.b64encode(body) + b'"}'
    ts = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    headers = signing.signature_headers(format, [SECRET], msg_id="TA9", timestamp=ts, body=document)
    assert webhooks.verify(SECRET, headers, document, format=format, now=ts)
    index = tamper % len(document)
    changed = document[:index] + bytes([document[index] ^ 1]) + document[index + 1 :]
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.verify(SECRET, headers, changed, format=format, now=ts)
