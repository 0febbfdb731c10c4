"""What an uptime monitor knows about its certificate: tcps and https monitors against local
TLS servers whose certificate is swapped (renewed, made untrusted, for another name, expired),
the engine driven by the frozen clock past the watch's recheck interval, no sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.engine_targets import SwitchableSite
from tests.servers.swappable_tls import SwappableChain, cert_pki, swappable_tls_server
from tests.servers.tls_servers import Case, Issued, Pki, build_cert
from watchwire.clock import FrozenClock
from watchwire.delivery import formats
from watchwire.engine import ssl_watch
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.events.event import Event
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["cert_pki", "swappable_tls_server"]
DAY = 86_400
RECHECK = ssl_watch.RECHECK.total_seconds() + 60


def leaf(pki: Pki, clock: FrozenClock, days: int, **kwargs: Any) -> Issued:
    """A leaf for localhost and 127.0.0.1 valid from 30 days before the clock's time for
    `days` days after it (valid by the real time too, for the https check's own handshake)."""
    now = clock.now()
    return pki.leaf(
        not_before=now - timedelta(days=30), not_after=now + timedelta(days=days), **kwargs
    )


@dataclass
class Watch:
    """A monitor, the engine that checks it and the account's events."""

    runtime: Runtime
    account: CreatedKey
    engine: Engine
    clock: FrozenClock
    sid: str = ""

    async def create(self, body: dict[str, Any]) -> None:
        body.setdefault("ssl_expiry_days", [30, 14, 7, 1])
        monitor = await self.runtime.monitors.create(
            self.account.account_sid, body, min_interval=30
        )
        self.sid = monitor.sid

    async def after(self, seconds: float) -> list[Event]:
        """Move the clock, run what is due, and answer the events recorded since."""
        before = {e.sid for e in await self.events()}
        self.clock.advance(seconds)
        await self.engine.run_once()
        return [e for e in await self.events() if e.sid not in before]

    async def events(self) -> list[Event]:
        page = await self.runtime.events.list(self.account.account_sid, PageRequest(per_page=100))
        return [e for e in page.items if e.type.startswith("ssl.")]


@pytest.fixture
async def watch(
    runtime: Runtime, account: CreatedKey, cert_pki: Pki, tmp_path: Path
) -> AsyncIterator[Watch]:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    root = tmp_path / "root.pem"
    root.write_bytes(cert_pki.root.pem)
    # The probe judges dates by the engine's clock, so the frozen clock moves the expiry.
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=root, clock=clock)
    yield Watch(
        runtime, account, Engine(runtime.db, ctx, clock, EngineConfig(concurrency=4)), clock
    )


@pytest.fixture
async def https_chain(tmp_path: Path) -> AsyncIterator[tuple[SwitchableSite, SwappableChain]]:
    """An https site for localhost whose certificate the test swaps."""
    chain = SwappableChain(tmp_path / "site")
    chain.directory.mkdir()
    yield SwitchableSite(scheme="https"), chain


def types(events: list[Event]) -> list[str]:
    """The events' types, sorted: events of one reading share their time, so the list
    does not say which came first."""
    return sorted(e.type for e in events)


async def test_tcps_monitor_sees_renewal_invalid_and_valid(
    watch: Watch,
    cert_pki: Pki,
    swappable_tls_server: Any,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    first = leaf(cert_pki, watch.clock, 40)
    server = await swappable_tls_server(cert_pki.case(first))
    await watch.create(
        {
            "kind": "tcps",
            "target": f"127.0.0.1:{server.port}",
            "options": {"ca_pem": cert_pki.root.pem.decode(), "server_name": "localhost"},
        }
    )
    assert types(await watch.after(10)) == []  # a first valid certificate: nothing to say
    shown = (await client.get(f"/v1/monitors/{watch.sid}", headers=auth)).json()["data"]["ssl"]
    assert shown["valid"] is True and shown["error"] is None
    certificate = shown["certificate"]
    assert "CN=localhost" in certificate["subject"]
    assert "CN=Test Intermediate CA" in certificate["issuer"]
    assert certificate["key_algorithm"] == "EC P-256"
    assert certificate["not_after"] == shown["not_after"]
    assert certificate["fingerprint_sha256"].startswith("SHA256:")

    renewed = leaf(cert_pki, watch.clock, 120)
    server.present(cert_pki.case(renewed))
    assert types(await watch.after(60)) == []  # before the recheck: not read again
    (event,) = await watch.after(RECHECK)
    assert event.type == "ssl.renewed"
    old, new = event.payload["old_certificate"], event.payload["certificate"]
    assert old["fingerprint_sha256"] == certificate["fingerprint_sha256"]
    assert new["fingerprint_sha256"] != old["fingerprint_sha256"]
    assert new["not_after"] > old["not_after"] and new["days_left"] == 120 - 1
    assert "was renewed" in event.description
    [item] = formats.FORMATS["updown"](event)  # what an updown receiver reads
    assert item["event"] == "check.ssl_renewed"
    assert item["ssl"]["old_cert"]["to"] == old["not_after"]
    assert item["ssl"]["new_cert"]["to"] == new["not_after"]
    assert item["ssl"]["new_cert"]["subject"] == new["subject"]
    assert "certificate" not in item and item["check"]["token"] == watch.sid

    stranger = Pki()  # a certificate from a CA the monitor does not trust
    server.present(stranger.case(leaf(stranger, watch.clock, 120)))
    (invalid,) = await watch.after(RECHECK)
    assert invalid.type == "ssl.invalid"
    assert invalid.payload["valid"] is False and invalid.payload["error"]
    assert invalid.payload["error"] in invalid.description
    [item] = formats.FORMATS["updown"](invalid)
    assert item["event"] == "check.ssl_invalid"
    assert item["ssl"]["error"] == invalid.payload["error"]
    assert item["ssl"]["cert"]["issuer"] == invalid.payload["certificate"]["issuer"]
    assert item["ssl"]["days_before_expiration"] == invalid.payload["certificate"]["days_left"]
    assert types(await watch.after(RECHECK)) == []  # still invalid: said once
    shown = (await client.get(f"/v1/monitors/{watch.sid}", headers=auth)).json()["data"]["ssl"]
    assert shown["valid"] is False and shown["error"] == invalid.payload["error"]

    server.present(cert_pki.case(renewed))
    (valid,) = await watch.after(RECHECK)
    assert valid.type == "ssl.valid" and valid.payload["valid"] is True
    assert valid.payload["certificate"]["fingerprint_sha256"] == new["fingerprint_sha256"]
    [item] = formats.FORMATS["updown"](valid)
    assert item["event"] == "check.ssl_valid" and item["ssl"]["error"] is None


async def test_https_monitor_wrong_name_then_renewed(
    watch: Watch, cert_pki: Pki, https_chain: tuple[SwitchableSite, SwappableChain]
) -> None:
    site, chain = https_chain
    chain.present(cert_pki.case(leaf(cert_pki, watch.clock, 50, names=("other.example",))))
    await site.start(chain.listener())
    try:
        await watch.create({"kind": "http", "target": site.url})
        (invalid,) = await watch.after(10)
        assert invalid.type == "ssl.invalid"  # first read already wrong: said at once
        assert "does not cover localhost" in invalid.payload["error"]

        good = leaf(cert_pki, watch.clock, 90)
        chain.present(cert_pki.case(good))
        events = await watch.after(RECHECK)
        # Another leaf that lasts longer (renewed), and valid again.
        assert types(events) == ["ssl.renewed", "ssl.valid"]
        (renewed,) = [e.payload for e in events if e.type == "ssl.renewed"]
        assert renewed["old_certificate"]["not_after"] < renewed["certificate"]["not_after"]
        shown = await watch.runtime.monitors.get(watch.account.account_sid, watch.sid)
        assert shown.state == "up"  # the site answers through the good certificate
        assert shown.ssl_valid is True and shown.ssl_error is None
        assert shown.ssl_certificate is not None
        assert (
            shown.ssl_certificate.fingerprint_sha256 == renewed["certificate"]["fingerprint_sha256"]
        )
    finally:
        await site.stop()


async def test_expiry_thresholds_then_expired_then_valid(
    watch: Watch, cert_pki: Pki, swappable_tls_server: Any
) -> None:
    server = await swappable_tls_server(cert_pki.case(leaf(cert_pki, watch.clock, 40)))
    await watch.create(
        {
            "kind": "ssl",
            "target": f"localhost:{server.port}",
            "options": {"ca_pem": cert_pki.root.pem.decode()},
        }
    )
    assert types(await watch.after(10)) == []
    (first,) = await watch.after(15 * DAY)  # 25 days left
    assert first.type == "ssl.expiring" and first.payload["threshold_days"] == 30
    [item] = formats.FORMATS["updown"](first)
    assert item["event"] == "check.ssl_expiration"
    assert item["ssl"]["days_before_expiration"] == 24  # 40 - 15 days - 10 s, whole days
    assert types(await watch.after(RECHECK)) == []  # the same bracket: once
    (second,) = await watch.after(20 * DAY)  # 5 days left
    assert second.payload["threshold_days"] == 7
    assert "expires in 4 days" in second.description  # 40 - 35 days - the 6 h recheck
    (expired,) = await watch.after(6 * DAY)  # past its end: expired, said once (not invalid too)
    assert expired.type == "ssl.expired" and expired.payload["valid"] is False
    assert types(await watch.after(RECHECK)) == []

    server.present(cert_pki.case(leaf(cert_pki, watch.clock, 90)))
    assert types(await watch.after(RECHECK)) == ["ssl.renewed", "ssl.valid"]


@pytest.mark.parametrize("kind", ["tcps", "ssl"])
async def test_self_signed_is_invalid_at_first_reading(
    watch: Watch, swappable_tls_server: Any, kind: str
) -> None:
    now = watch.clock.now()
    own = build_cert(
        "localhost", not_before=now - timedelta(days=1), not_after=now + timedelta(days=60)
    )
    server = await swappable_tls_server(Case(chain=(own,), root=own))
    await watch.create({"kind": kind, "target": f"localhost:{server.port}"})
    (event,) = await watch.after(10)
    assert event.type == "ssl.invalid"
    assert event.payload["certificate"]["issuer"] == event.payload["certificate"]["subject"]


def _reading(
    fingerprint: str, not_after: str, days_left: int, valid: bool
) -> ssl_watch.CertReading:
    certificate = ssl_watch.Certificate(
        subject="CN=a",
        issuer="CN=b",
        not_before="2026-01-01T00:00:00Z",
        not_after=not_after,
        key_algorithm="EC P-256",
        signature_algorithm="ecdsa-with-SHA256",
        serial="01",
        fingerprint_sha256=fingerprint,
    )
    return ssl_watch.CertReading(certificate, days_left, valid, None if valid else "bad")


OLD = _reading("SHA256:aa", "2027-03-01T00:00:00Z", 90, True)


@pytest.mark.parametrize(
    ("before", "reading", "events"),
    [
        (ssl_watch.SslState(), OLD, []),
        (ssl_watch.SslState(True, OLD.certificate, None), OLD, []),
        (
            ssl_watch.SslState(),
            _reading("SHA256:aa", "2027-03-01T00:00:00Z", 90, False),
            ["ssl.invalid"],
        ),
        (ssl_watch.SslState(False, OLD.certificate, None), OLD, ["ssl.valid"]),
        # A renewal to a certificate far from expiry: the bracket starts afresh.
        (
            ssl_watch.SslState(True, OLD.certificate, None),
            _reading("SHA256:bb", "2027-06-01T00:00:00Z", 180, True),
            ["ssl.renewed"],
        ),
        # Another leaf that ends sooner is no renewal.
        (
            ssl_watch.SslState(True, OLD.certificate, None),
            _reading("SHA256:cc", "2027-02-01T00:00:00Z", 60, True),
            [],
        ),
        # Expired: ssl.expired alone, and ssl.valid once a good certificate is back.
        (
            ssl_watch.SslState(True, OLD.certificate, 1),
            _reading("SHA256:aa", "2027-03-01T00:00:00Z", -1, False),
            ["ssl.expired"],
        ),
        (
            ssl_watch.SslState(False, OLD.certificate, ssl_watch.EXPIRED),
            _reading("SHA256:dd", "2027-09-01T00:00:00Z", 270, True),
            ["ssl.renewed", "ssl.valid"],
        ),
    ],
)
def test_evaluate(
    before: ssl_watch.SslState, reading: ssl_watch.CertReading, events: list[str]
) -> None:
    evaluation = ssl_watch.evaluate(before, reading, [30, 14, 7, 1])
    assert [e.type for e in evaluation.events] == events
    assert evaluation.state.certificate == reading.certificate
    assert evaluation.state.valid is reading.valid


def test_renewal_keeps_the_old_certificate_in_the_event() -> None:
    new = _reading("SHA256:bb", "2027-06-01T00:00:00Z", 180, True)
    (event,) = ssl_watch.evaluate(ssl_watch.SslState(True, OLD.certificate, None), new, [30]).events
    assert event.old_certificate == OLD.certificate
    assert ssl_watch.Certificate.from_json(new.certificate.to_json()) == new.certificate
