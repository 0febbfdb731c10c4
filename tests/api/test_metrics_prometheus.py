"""A real Prometheus scrapes a running `watchwire serve` on loopback with the bearer token,
and PromQL over its HTTP API returns the series an operator would alert on: the one
end-to-end test of /metrics (a worker's own /metrics is tested in process, in
test_metrics.py: another process start would cost CI seconds and show nothing more)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.prometheus_server import prometheus
from tests.servers.watchwire_processes import prepare, start_serve, watchwire_env

__all__ = ["site"]
TOKEN = "scrape-token-0123456789abcdef"


async def test_prometheus_scrapes_watchwire(tmp_path: Path, site: SwitchableSite) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    headers = await prepare(url)
    serve = await start_serve(watchwire_env(url, metrics_token=TOKEN), tmp_path)
    try:
        async with httpx.AsyncClient(base_url=serve.base_url, headers=headers) as client:
            body = {"kind": "http", "target": site.url, "name": "Shop", "paused": True}
            sid = (await client.post("/v1/monitors", json=body)).json()["data"]["sid"]
            await client.post(f"/v1/monitors/{sid}/resume")  # due at once
        serve_target = serve.base_url.removeprefix("http://")
        async with prometheus(tmp_path, [serve_target], token=TOKEN) as server:
            up = await server.query_until(
                f'watchwire_monitor_up{{monitor="{sid}"}}', lambda r: len(r) == 1
            )
            assert up[0]["metric"]["target"] == site.url and up[0]["value"][1] == "1"
            assert up[0]["metric"]["instance"] == serve_target
            named = await server.query(
                f'watchwire_monitor_up * on(monitor) group_left(name) watchwire_monitor_info{{monitor="{sid}"}}'
            )
            assert named[0]["metric"]["name"] == "Shop"
            checks = await server.query_until(
                'sum by (outcome) (watchwire_checks_total{kind="http"})', lambda r: len(r) > 0
            )
            assert checks[0]["metric"]["outcome"] == "up" and float(checks[0]["value"][1]) >= 1
            # Scraped with the token (a 401 would make `up` 0), the process's own series too.
            scraped = await server.query('up{job="watchwire"}')
            assert scraped[0]["value"][1] == "1"
            memory = await server.query(
                f'process_resident_memory_bytes{{instance="{serve_target}"}}'
            )
            assert float(memory[0]["value"][1]) > 0
            late = await server.query(
                "histogram_quantile(0.99, sum by (le) (watchwire_scheduler_lateness_seconds_bucket))"
            )
            assert float(late[0]["value"][1]) < 60
    finally:
        await serve.stop()
