"""A real Prometheus server (Debian's `prometheus`) on a free loopback port, scraping the
targets a test names every second, with its HTTP API for PromQL queries.

    async with prometheus(tmp_path, ["127.0.0.1:8080"], token="…") as server:
        series = await server.query_until('watchwire_monitor_up == 1', lambda r: len(r) == 1)
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.servers.plain_tls import free_port

BINARY = shutil.which("prometheus") or "/usr/bin/prometheus"
READY_TIMEOUT = 30.0


@dataclass
class PrometheusServer:
    base_url: str
    log: Path

    async def query(self, promql: str) -> list[dict[str, Any]]:
        """The vector a PromQL instant query returns (its `result`)."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
            answer = await client.get("/api/v1/query", params={"query": promql})
        body = answer.json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    async def query_until(
        self,
        promql: str,
        done: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 30.0,
    ) -> list[dict[str, Any]]:
        """Query every 0.5 s until `done(result)`; AssertionError with the last result and
        Prometheus' log after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        result: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = await self.query(promql)
            if done(result):
                return result
            await asyncio.sleep(0.5)
        log = self.log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"{promql}: {result} after {timeout} s\n{log}")


def _config(targets: list[str], token: str | None) -> str:
    auth = f"    authorization:\n      credentials: {token}\n" if token else ""
    listed = ", ".join(f'"{t}"' for t in targets)
    return (
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: watchwire\n"
        f"{auth}    static_configs:\n      - targets: [{listed}]\n"
    )


def _spawn(config: Path, data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                BINARY,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@asynccontextmanager
async def prometheus(
    workdir: Path, targets: list[str], *, token: str | None = None
) -> AsyncIterator[PrometheusServer]:
    config = workdir / "prometheus.yml"
    config.write_text(_config(targets, token))
    port = free_port()
    log = workdir / "prometheus.log"
    process = _spawn(config, workdir / "prometheus-data", port, log)
    server = PrometheusServer(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as client:
                    if (await client.get("/-/ready")).status_code == 200:
                        break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"prometheus did not start:\n{log.read_text()}")
            await asyncio.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
