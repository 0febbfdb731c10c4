"""`watchwire serve` runs the engine next to the API: a monitor created over HTTP is checked
by the same process, and SIGTERM stops both cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.servers.engine_targets import SwitchableSite, site

__all__ = ["site"]
WATCHWIRE = Path(sys.executable).with_name("watchwire")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate and create an account; the API key's header."""
    subprocess.run([str(WATCHWIRE), "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [str(WATCHWIRE), "account", "create", "ops", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return {"X-API-Key": json.loads(created.stdout)["key"]}


def _start_serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(WATCHWIRE), "serve"], env=env, stderr=subprocess.PIPE)


async def test_serve_checks_monitors_and_stops_on_sigterm(
    tmp_path: Path, site: SwitchableSite
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "WATCHWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "WATCHWIRE_LISTEN": f"127.0.0.1:{port}",
        "WATCHWIRE_SECRET_KEY": "test",
        "WATCHWIRE_BOOTSTRAP_ACCOUNT": "false",
        "WATCHWIRE_ALLOW_PRIVATE_TARGETS": "true",
        "WATCHWIRE_LOG_LEVEL": "WARNING",
    }
    headers = await asyncio.to_thread(_prepare, env)
    server = _start_serve(env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            body = {"kind": "http", "target": site.url, "paused": True}
            sid = (await client.post("/v1/monitors", json=body, headers=headers)).json()["data"][
                "sid"
            ]
            # Resuming makes it due at once.
            await client.post(f"/v1/monitors/{sid}/resume", headers=headers)
            await asyncio.wait_for(site.wait_for_hits(1), 30)
            for _ in range(100):
                monitor = (await client.get(f"/v1/monitors/{sid}", headers=headers)).json()
                if monitor["data"]["state"] != "pending":
                    break
                await asyncio.sleep(0.1)
            assert monitor["data"]["state"] == "up"
            assert monitor["data"]["last_response_ms"] is not None
    finally:
        server.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.wait, 30)
    stderr = server.stderr.read().decode() if server.stderr else ""
    assert code == 0, stderr
