"""The registration of a monitored host's domain: read over RDAP from a local registry
(tests/servers/rdap_server.py) once a day next to the monitor's checks, `domain.expiring` at
each threshold, a renewal starting afresh, a registry outage keeping what was known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.servers.dns_servers import free_port
from tests.servers.rdap_server import RdapServer, rdap_server
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["rdap_server"]
DAY = 86_400


async def test_domain_expiry_of_a_monitored_host(
    runtime: Runtime,
    account: CreatedKey,
    rdap_server: RdapServer,
    tmp_path: Path,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=40, hours=1))
    config = EngineConfig(
        concurrency=4,
        rdap_bootstrap=rdap_server.bootstrap(tmp_path, tlds=["test"]),
        domain_expiry_days=(30, 7),
    )
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), clock=clock)
    engine = Engine(runtime.db, ctx, clock, config)
    # A dns monitor of a name under the registered domain, asking a closed loopback port:
    # the check fails, and no name leaves the machine; the domain watch rides along anyway.
    monitor = await runtime.monitors.create(
        account.account_sid,
        {
            "kind": "dns",
            "target": "www.shop.test",
            "timeout": 1,
            "options": {"server": f"127.0.0.1:{free_port()}"},
        },
        min_interval=30,
    )

    async def after(seconds: float) -> list[str]:
        before = await events()
        clock.advance(seconds)
        await engine.run_once()
        return (await events())[len(before) :]

    async def events() -> list[str]:
        page = await runtime.events.list(account.account_sid, PageRequest(per_page=100))
        return [e.sid for e in reversed(page.items) if e.type == "domain.expiring"]

    assert await after(10) == []  # 40 days left: no threshold crossed
    assert rdap_server.requests == ["shop.test"]  # the registered domain, not the host
    shown = (await client.get(f"/v1/monitors/{monitor.sid}", headers=auth)).json()["data"]
    assert shown["domain"]["name"] == "shop.test" and shown["domain"]["source"] == "RDAP"
    assert shown["domain"]["expires_at"] == "2027-01-03T13:00:00Z"
    assert shown["domain"]["error"] is None
    assert await after(12 * 3600) == [] and len(rdap_server.requests) == 1  # once a day

    (sid,) = await after(15 * DAY)  # 25 days left
    event = await runtime.events.get(account.account_sid, sid)
    assert event.payload["threshold"] == 30 and event.payload["days_left"] == 24
    assert event.payload["monitor"]["sid"] == monitor.sid
    assert "shop.test" in event.description and "www.shop.test" in event.description
    assert await after(DAY) == []  # the same bracket: said once

    rdap_server.fail("shop.test", 503)
    assert await after(20 * DAY) == []  # the registry is down: nothing known changed
    failed = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert failed.domain is not None and "503" in (failed.domain.error or "")
    assert failed.domain.expires_at == datetime(2027, 1, 3, 13, tzinfo=UTC)  # as last read

    requests = len(rdap_server.requests)
    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=3))
    (sid,) = await after(6 * 3600)  # asked again 6 h after a failure: 3 days left
    assert len(rdap_server.requests) == requests + 1
    assert (await runtime.events.get(account.account_sid, sid)).payload["threshold"] == 7

    rdap_server.register("shop.test", expires=clock.now() + timedelta(days=365))
    assert await after(DAY) == []  # renewed: the watch starts afresh
    renewed = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert renewed.domain is not None and renewed.domain.error is None
    assert renewed.domain.expires_at is not None
    assert renewed.domain.expires_at > clock.now() + timedelta(days=360)


async def test_hosts_without_a_registered_domain_ask_no_registry(
    runtime: Runtime, account: CreatedKey, rdap_server: RdapServer, tmp_path: Path
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    config = EngineConfig(rdap_bootstrap=rdap_server.bootstrap(tmp_path, tlds=["test"]))
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), clock=clock)
    for target in ("127.0.0.1:9", "localhost:9"):
        await runtime.monitors.create(
            account.account_sid, {"kind": "tcp", "target": target, "timeout": 1}, min_interval=30
        )
    clock.advance(10)
    await Engine(runtime.db, ctx, clock, config).run_once()
    assert rdap_server.requests == []
    page = await runtime.monitors.list(account.account_sid, PageRequest())
    assert [m.domain for m in page.items] == [None, None]
