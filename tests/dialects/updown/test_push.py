"""The Push API: a webhook added through `/api/recipients` gets what updown sends for a real
down/up cycle of a local site and a certificate renewal on a local TLS server — arrays of
events, `User-Agent: updown.io webhooks`, the full check object (the one GET
/api/checks/:token answers, as it stood when the event was made), the `downtime` with its id
and updown's descriptions. (An Apdex drop through a receiver: tests/engine/test_apdex_drop.py.)

Storage is covered by the other modules on both databases; this one runs on SQLite."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.delivery.helpers import worker
from tests.engine.test_monitor_certificates import RECHECK, leaf
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.swappable_tls import cert_pki, swappable_tls_server
from tests.servers.tls_servers import Pki
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from tests.storage import open_database
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database
from watchwire.target_policy import TargetPolicy

__all__ = ["cert_pki", "site", "swappable_tls_server", "webhook_receiver"]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async for db in open_database("sqlite", tmp_path):
        yield db


async def test_a_down_up_cycle_reaches_an_updown_webhook(
    runtime: Runtime,
    updown: httpx.AsyncClient,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    hook = await updown.post(
        "/api/recipients", data={"type": "webhook", "value": webhook_receiver.url()}
    )
    assert hook.status_code == 201, hook.text
    token = (await updown.post("/api/checks", data={"url": site.url})).json()["token"]
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2))
    clock.advance(10)
    for status in (200, 500, 500, 500, 200):  # one check a minute
        site.status = status
        await engine.run_once()
        clock.advance(60)
    await worker(runtime).run_once()

    items: list[dict[str, Any]] = []
    for received in webhook_receiver.requests():
        assert received.headers["User-Agent"] == "updown.io webhooks"
        body = json.loads(received.body)
        assert isinstance(body, list)
        items.extend(body)
    by_event = {item["event"]: item for item in items}
    down, up = by_event["check.down"], by_event["check.up"]
    # The full check object, as GET /api/checks/:token renders it, as it stood then.
    now = (await updown.get(f"/api/checks/{token}")).json()
    assert set(down["check"]) == set(now) == set(up["check"])
    assert down["check"]["token"] == token == up["check"]["token"]
    assert down["check"]["down"] is True and "500" in down["check"]["error"]
    assert down["check"]["last_status"] == 500 and down["check"]["up_since"] is None
    assert down["check"]["down_since"] == down["downtime"]["started_at"]
    assert up["check"]["down"] is False and up["check"]["error"] is None
    assert up["check"]["last_status"] == 200 and up["check"]["up_since"] == up["time"]
    assert up["check"]["recipients"] == now["recipients"] == [hook.json()["id"]]
    same = ("url", "alias", "period", "apdex_t", "created_at", "type", "custom_headers")
    assert {k: up["check"][k] for k in same} == {k: now[k] for k in same}
    # The downtime's id is the one /api/checks/:token/downtimes shows.
    [shown] = (await updown.get(f"/api/checks/{token}/downtimes")).json()
    assert down["downtime"]["id"] == shown["id"] == up["downtime"]["id"]
    assert down["downtime"]["ended_at"] is None and down["downtime"]["duration"] is None
    assert down["description"] == (
        f"DOWN: {site.url} since {down['downtime']['started_at'][11:19]} (UTC), "
        f"reason: {down['downtime']['error']}"
    )
    assert "500" in down["downtime"]["error"]
    assert up["downtime"]["started_at"] == down["downtime"]["started_at"]
    assert up["downtime"]["duration"] == 180
    assert up["description"].startswith(f"UP: {site.url} after being down for 3 minutes")


async def test_a_certificate_renewal_reaches_an_updown_webhook(
    runtime: Runtime,
    account: CreatedKey,
    updown: httpx.AsyncClient,
    cert_pki: Pki,
    swappable_tls_server: Any,
    webhook_receiver: Receiver,
    tmp_path: Path,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    hook = await updown.post(
        "/api/recipients", data={"type": "webhook", "value": webhook_receiver.url()}
    )
    assert hook.status_code == 201, hook.text
    first = leaf(cert_pki, clock, 40)
    server = await swappable_tls_server(cert_pki.case(first))
    # A certificate check (updown has none of its own: its type stays `ssl`), trusting the
    # local root.
    monitor = await runtime.monitors.create(
        account.account_sid,
        {
            "kind": "ssl",
            "target": f"localhost:{server.port}",
            "options": {"ca_pem": cert_pki.root.pem.decode()},
        },
        min_interval=30,
    )
    root = tmp_path / "root.pem"
    root.write_bytes(cert_pki.root.pem)
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=root, clock=clock)
    engine = Engine(runtime.db, ctx, clock, EngineConfig(concurrency=2))
    clock.advance(10)
    await engine.run_once()  # the first certificate: nothing to say
    renewed = leaf(cert_pki, clock, 120)
    server.present(cert_pki.case(renewed))
    clock.advance(RECHECK)
    await engine.run_once()
    await worker(runtime).run_once()

    (received,) = webhook_receiver.requests()
    assert received.headers["User-Agent"] == "updown.io webhooks"
    (item,) = json.loads(received.body)
    assert item["event"] == "check.ssl_renewed"
    assert item["description"] == (
        f"The SSL certificate served by localhost:{server.port} has been renewed"
    )
    ssl = item["ssl"]
    assert ssl["old_cert"]["to"] < ssl["new_cert"]["to"]
    assert "CN=localhost" in ssl["new_cert"]["subject"]
    assert "CN=Test Intermediate CA" in ssl["new_cert"]["issuer"]
    check = item["check"]
    assert set(check) == set((await updown.get(f"/api/checks/{monitor.sid}")).json())
    assert check["token"] == monitor.sid and check["type"] == "ssl"
    # The check as the renewal left it: the new certificate's end, valid.
    assert check["ssl"]["expires_at"] == ssl["new_cert"]["to"]
    assert check["ssl"]["valid"] is True and check["ssl"]["error"] is None
