"""The certificate watch of https monitors: thresholds announced once each, expiry once."""

from __future__ import annotations

import pytest

from tests.servers.engine_targets import SwitchableSite, expiring_https_site
from watchwire.clock import FrozenClock
from watchwire.engine import ssl_watch
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["expiring_https_site"]
THRESHOLDS = [30, 14, 7, 1]


@pytest.mark.parametrize(
    ("days_left", "announced", "bracket", "event"),
    [
        (90, None, None, None),
        (29, None, 30, "ssl.expiring"),
        (25, 30, 30, None),
        (13, 30, 14, "ssl.expiring"),
        (3, None, 7, "ssl.expiring"),  # a first look deep inside: the nearest threshold only
        (0, 1, 1, None),
        (-1, 1, ssl_watch.EXPIRED, "ssl.expired"),
        (-5, ssl_watch.EXPIRED, ssl_watch.EXPIRED, None),
        (365, ssl_watch.EXPIRED, None, None),  # renewed: start afresh
        (20, 7, 30, "ssl.expiring"),  # renewed to a shorter certificate: announce again
    ],
)
def test_thresholds(
    days_left: int, announced: int | None, bracket: int | None, event: str | None
) -> None:
    verdict = ssl_watch.evaluate_expiry(days_left, THRESHOLDS, announced)
    assert (verdict.bracket, verdict.event) == (bracket, event)


def test_https_targets_and_tls_kinds_are_watched() -> None:
    assert ssl_watch.watched("http", "https://example.com/")
    assert ssl_watch.watched("headers", "HTTPS://example.com/")
    assert not ssl_watch.watched("http", "http://example.com/")
    assert not ssl_watch.watched("tcp", "example.com:443")
    assert ssl_watch.watched("tcps", "example.com:443")
    assert ssl_watch.watched("ssl", "example.com")


async def test_expiring_certificate_is_announced_once(
    runtime: Runtime, account: CreatedKey, expiring_https_site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=expiring_https_site.ca_file)
    monitor = await runtime.monitors.create(
        account.account_sid,
        {"kind": "http", "target": expiring_https_site.url, "ssl_expiry_days": THRESHOLDS},
        min_interval=30,
    )
    engine = Engine(runtime.db, ctx, clock, EngineConfig(concurrency=4))
    clock.advance(10)
    await engine.run_once()
    for _ in range(2):  # later checks, certificate read again after 6 h: nothing new to say
        clock.advance(7 * 3600)
        await engine.run_once()
    page = await runtime.events.list(account.account_sid, PageRequest())
    assert [e.type for e in page.items] == ["ssl.expiring"]
    event = page.items[0]
    assert event.payload["threshold_days"] == 14
    assert event.payload["certificate"]["days_left"] == 10
    assert "expires in 10 days" in event.description
    shown = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert shown.state == "up" and shown.ssl_not_after
