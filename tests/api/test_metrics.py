"""`GET /metrics` after real checks against local sites: the process's counters, the queue
gauges and each monitor's gauges, read back with prometheus_client's own parser; and the
bearer token that guards it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.conftest import client_for
from tests.servers.engine_targets import SwitchableSite, expiring_https_site, site
from tests.servers.plain_tls import free_port
from watchwire.app import create_app
from watchwire.cli.worker import serve_metrics
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.target_policy import TargetPolicy

__all__ = ["expiring_https_site", "site"]
TOKEN = "metrics-token-0123456789"
# The token and the switch are the face's, not the database's: SQLite is enough.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def samples(text: str) -> list[Sample]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(found: list[Sample], metric: str, /, **labels: str) -> float:
    matching = [
        s
        for s in found
        if s.name == metric and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(matching) == 1, (metric, labels, matching)
    return float(matching[0].value)


async def test_metrics_after_real_checks(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    site: SwitchableSite,
    expiring_https_site: SwitchableSite,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    owner = account.account_sid
    up = await runtime.monitors.create(
        owner, {"kind": "http", "target": site.url, "name": 'Shop "front"'}, min_interval=30
    )
    closed = f"http://127.0.0.1:{free_port()}/"
    down = await runtime.monitors.create(
        owner,
        {"kind": "http", "target": closed, "name": "Gone", "confirmations": 1},
        min_interval=30,
    )
    tls = await runtime.monitors.create(
        owner, {"kind": "http", "target": expiring_https_site.url, "name": "TLS"}, min_interval=30
    )
    paused = await runtime.monitors.create(
        owner,
        {"kind": "tcp", "target": "127.0.0.1:1", "name": "Later", "paused": True},
        min_interval=30,
    )
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=expiring_https_site.ca_file)
    engine = Engine(runtime.db, ctx, clock, EngineConfig(concurrency=10), owner="metrics-a")

    before = samples((await client.get("/metrics")).text)
    clock.advance(10)
    assert (await engine.run_once()).written == 3
    await client.get("/v1/monitors/" + up.sid, headers={"X-API-Key": account.key})
    await client.get("/4.0/rbl/hosts/HT0123.json")  # a mounted dialect's route
    await client.request("BREW", "/no/such/" + up.sid)
    answer = await client.get("/metrics")

    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    after = samples(answer.text)

    def grew(metric: str, **labels: str) -> float:
        old = [s for s in before if s.name == metric and s.labels == labels]
        return value(after, metric, **labels) - (old[0].value if old else 0.0)

    assert grew("watchwire_checks_total", kind="http", outcome="up") == 2
    assert grew("watchwire_checks_total", kind="http", outcome="down") == 1
    assert grew("watchwire_check_duration_seconds_count", kind="http") == 3
    assert grew("watchwire_scheduler_lateness_seconds_count", queue="monitors") == 3
    route = {"method": "GET", "route": "/v1/monitors/{sid}", "status": "200"}
    assert grew("watchwire_http_requests_total", **route) == 1
    mounted = {"method": "GET", "route": "/4.0/rbl/hosts/{id}.json", "status": "401"}
    assert grew("watchwire_http_requests_total", **mounted) == 1
    # No path, id or made-up method becomes a series of its own.
    unmatched = {"method": "other", "route": "unmatched", "status": "404"}
    assert grew("watchwire_http_requests_total", **unmatched) == 1
    assert up.sid not in "".join(s.labels.get("route", "") for s in after)
    assert value(after, "process_resident_memory_bytes") > 0

    assert value(after, "watchwire_monitor_up", monitor=up.sid, kind="http", target=site.url) == 1
    assert value(after, "watchwire_monitor_up", monitor=down.sid, target=closed) == 0
    assert not [s for s in after if s.labels.get("monitor") == paused.sid and "up" in s.name]
    info = value(after, "watchwire_monitor_info", monitor=up.sid, name='Shop "front"')
    assert info == 1
    assert 0 < value(after, "watchwire_monitor_last_duration_seconds", monitor=up.sid) < 5
    checked = value(after, "watchwire_monitor_last_check_timestamp_seconds", monitor=up.sid)
    assert checked == clock.now().timestamp()
    days = value(after, "watchwire_monitor_certificate_expiry_days", monitor=tls.sid)
    # The site's certificate ends 10.5 days after the real now; the scrape is at the clock's.
    ends = time.time() + 10.5 * 86400
    assert days == pytest.approx((ends - clock.now().timestamp()) / 86400, abs=0.01)
    expiry = value(after, "watchwire_monitor_certificate_expiry_timestamp_seconds", monitor=tls.sid)
    assert expiry == pytest.approx(clock.now().timestamp() + days * 86400)

    assert value(after, "watchwire_queue_due", queue="monitors") == 0
    clock.advance(timedelta(minutes=10).total_seconds())
    later = samples((await client.get("/metrics")).text)
    assert value(later, "watchwire_queue_due", queue="monitors") == 3  # the paused one waits
    assert value(later, "watchwire_queue_due", queue="cert_monitors") == 0
    assert value(later, "watchwire_deliveries_waiting", status="pending") == 0


def _guarded(runtime: Runtime, **settings: object) -> httpx.AsyncClient:
    changed = runtime.settings.model_copy(update={"metrics_token": TOKEN, **settings})
    return client_for(create_app(Runtime.build(changed, db=runtime.db, clock=runtime.clock)))


@sqlite_only
async def test_a_token_guards_metrics(runtime: Runtime) -> None:
    async with _guarded(runtime) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"'
        error = refused.json()["error"]
        assert error["code"] == "auth_required"
        assert error["details"][0]["field"] == "Authorization"
    assert "Bearer" in missing.json()["error"]["message"]
    assert right.status_code == 200 and "watchwire_queue_due" in right.text


@sqlite_only
async def test_monitor_series_can_be_left_out(runtime: Runtime, account: CreatedKey) -> None:
    await runtime.monitors.create(
        account.account_sid, {"kind": "tcp", "target": "127.0.0.1:1", "name": "x"}, min_interval=30
    )
    plain = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
    async with _guarded(runtime, metrics_monitors=False) as client:
        answer = await client.get("/metrics", headers=plain)
    assert "content-encoding" not in answer.headers  # gzip only when asked (httpx asks)
    assert "watchwire_queue_due" in answer.text and "watchwire_monitor_info" not in answer.text


def test_a_short_token_is_refused() -> None:
    with pytest.raises(ValueError, match="metrics_token"):
        Settings(metrics_token="short")


async def test_a_worker_serves_its_own_counters(settings: Settings) -> None:
    """`watchwire worker --metrics-listen`: the worker's own series on a port of its own,
    behind the same token; the database's gauges are the API's."""
    port = free_port()
    changed = settings.model_copy(
        update={"metrics_listen": f"127.0.0.1:{port}", "metrics_token": TOKEN}
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_metrics(changed, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    refused = await client.get("/metrics")
                    break
                await asyncio.sleep(0.05)
            answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        stop.set()
        await serving
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "auth_required"
    assert answer.status_code == 200
    found = samples(answer.text)
    assert value(found, "process_resident_memory_bytes") > 0
    assert any(s.name == "watchwire_http_requests_total" for s in found)
    assert "watchwire_queue_due" not in answer.text


async def test_each_agent_instance_shows_when_it_was_last_heard_from(
    runtime: Runtime, clock: FrozenClock
) -> None:
    await runtime.locations.create({"code": "fra", "name": "Frankfurt"})
    await runtime.agents.heartbeat("fra", "host-a:41", "1.0", started=True)
    async with _guarded(runtime) as client:
        answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    found = {(s.name, s.labels.get("instance")): s.value for s in samples(answer.text)}
    seen = found[("watchwire_agent_last_seen_timestamp_seconds", "host-a:41")]
    assert seen == clock.now().timestamp()
    assert found[("watchwire_agent_timed_out", "host-a:41")] == 0
