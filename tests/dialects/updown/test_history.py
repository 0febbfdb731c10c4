"""A check's downtimes and metrics from real checks of a local site run by the engine: the
100-per-page downtime list, `from`/`to` in 001's formats, the default month, `group=time`,
and updown's `requests` and `timings` objects."""

from __future__ import annotations

import httpx

from tests.dialects.updown.conftest import TIME
from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime

__all__ = ["site"]

EDGES = [f"under{edge}" for edge in (125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)]


async def test_downtimes_and_metrics_of_real_checks(
    runtime: Runtime, updown: httpx.AsyncClient, probe_ctx: ProbeContext, site: SwitchableSite
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    await runtime.locations.ensure_own()
    await runtime.locations.update(
        "local",
        {"city": "Frankfurt", "country": "Germany", "country_code": "DE", "ipv4": "192.0.2.10"},
    )
    made = await updown.post(
        "/api/checks", data={"url": site.url, "period": "60", "apdex_t": "2.0"}
    )
    token = made.json()["token"]
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2))
    clock.advance(10)
    for status in [200] * 6 + [500] * 3 + [200] * 3 + [500] * 3:  # one check a minute
        site.status = status
        await engine.run_once()
        clock.advance(60)

    downtimes = (await updown.get(f"/api/checks/{token}/downtimes")).json()
    assert [d["ended_at"] is None for d in downtimes] == [True, False]  # newest first
    ongoing, ended = downtimes
    assert set(ended) == {"id", "error", "started_at", "ended_at", "duration", "partial"}
    assert ended["duration"] == 180  # the first failure to the first success
    assert "500" in ended["error"] and ongoing["duration"] is None
    assert all(TIME.fullmatch(d["started_at"]) for d in downtimes)
    assert (await updown.get(f"/api/checks/{token}/downtimes", params={"page": "2"})).json() == []
    detailed = (await updown.get(f"/api/checks/{token}/downtimes?results=true")).json()
    [opened] = detailed[1]["down_results"]
    [closed] = detailed[1]["up_results"]
    assert (opened["status"], opened["response"]["code"], closed["response"]["code"]) == (
        "down", 500, 200,
    )  # fmt: skip
    assert opened["request"] == {
        "sent_at": ended["started_at"], "http_method": "GET", "node": "local",
    }  # fmt: skip
    assert closed["request"]["sent_at"] == ended["ended_at"]
    assert detailed[0]["up_results"] == [] and detailed[0]["partial"] is False

    metrics = (await updown.get(f"/api/checks/{token}/metrics")).json()  # the last month
    assert set(metrics) == {"uptime", "apdex", "requests", "timings"}
    requests = metrics["requests"]
    assert (requests["samples"], requests["failures"]) == (15, 6)
    assert (requests["satisfied"], requests["tolerated"]) == (9, 0)
    assert list(requests["by_response_time"]) == EDGES
    assert metrics["apdex"] == 0.6
    assert all(isinstance(v, int) for v in metrics["timings"].values())

    hourly = (
        await updown.get(
            f"/api/checks/{token}/metrics",
            params={"from": "2026-11-24 11:00:00 +0000", "to": "1 second ago", "group": "time"},
        )
    ).json()
    assert list(hourly) == ["2026-11-24T12:00:00Z"]
    assert hourly["2026-11-24T12:00:00Z"]["requests"]["samples"] == 15
    by_host = (await updown.get(f"/api/checks/{token}/metrics?group=host")).json()
    assert list(by_host) == ["local"]
    assert by_host["local"]["requests"] == requests  # one location: the same checks
    assert by_host["local"]["host"] == {
        "ip": "192.0.2.10", "city": "Frankfurt", "country": "Germany", "country_code": "DE",
    }  # fmt: skip
    empty = (
        await updown.get(
            f"/api/checks/{token}/metrics", params={"from": "2026-01-01", "to": "2026-01-02"}
        )
    ).json()
    assert "apdex" not in empty and empty["requests"]["samples"] == 0

    shown = (await updown.get(f"/api/checks/{token}")).json()
    assert shown["down"] is True and shown["last_status"] == 500 and "500" in shown["error"]
    assert TIME.fullmatch(shown["down_since"]) and shown["up_since"] is None
    assert 0 < shown["uptime"] < 100
    bad = await updown.get(f"/api/checks/{token}/metrics", params={"group": "day"})
    assert bad.json() == {"error": "Group is not included in the list (given: day)"}
    backwards = await updown.get(
        f"/api/checks/{token}/metrics", params={"from": "now", "to": "1 day ago"}
    )
    assert backwards.status_code == 400 and backwards.json()["error"].startswith("From")
