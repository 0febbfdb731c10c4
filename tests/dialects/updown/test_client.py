"""The published `updownio` client (PyPI), unchanged, against a real uvicorn on loopback: a
scenario through checks, downtimes, metrics, recipients and status pages; and a pulse check
pinged with `curl`, up on its ping and down when pings stop (a frozen clock drives it).

Storage is covered by the other modules on both databases; this one runs on SQLite."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import updownio
from updownio import UpDownIoError

from tests.servers.generatorlabs_api import served_app
from tests.storage import open_database
from watchwire.clock import FrozenClock
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database

__all__ = ["served_app"]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async for db in open_database("sqlite", tmp_path):
        yield db


def client(name: str, base_url: str, key: CreatedKey) -> Any:
    # The endpoint's path is replaced by /api/<service>: the base URL is all it needs.
    return updownio.service(name, api_key=key.key, endpoint=base_url, timeout=30)


async def test_a_scenario_through_every_service(
    runtime: Runtime, served_app: str, account: CreatedKey
) -> None:
    checks = client("checks", served_app, account)
    recipients = client("recipients", served_app, account)
    pages = client("status_pages", served_app, account)
    nodes = client("nodes", served_app, account)
    await runtime.locations.ensure_own()
    await runtime.locations.update("local", {"ipv4": "192.0.2.1", "city": "Paris"})

    def scenario() -> dict[str, Any]:
        hook = recipients.add("webhook", "http://127.0.0.1:9/updown", {"name": "Ops"})
        made = checks.add(
            "https://client.example/",
            {
                "alias": "Client",
                "period": 30,
                "enabled": True,
                "recipients": [hook["id"]],
                "custom_headers": {"X-Env": "test"},
                "disabled_locations": [],
            },
        )
        shown = checks.show(url="https://client.example/")
        by_token = checks.show(made["token"], params={"metrics": True})
        changed = checks.update(made["token"], data={"period": 60, "published": True})
        metrics = checks.metrics(made["token"], params={"from": "-1d", "group": "time"})
        by_host = checks.metrics(made["token"], params={"group": "host"})
        whole = checks.metrics(url="https://client.example/")
        downtimes = checks.downtimes(made["token"], params={"page": 1, "results": True})
        node_list, node_ips = nodes.list(), nodes.ips()
        page = pages.add([made["token"]], {"name": "Client page", "visibility": "public"})
        pages.update(page["token"], {"description": "All of it", "checks": [made["token"]]})
        listed_pages = pages.list()
        deleted_page = pages.delete(page["token"])
        listed_recipients = recipients.list()
        try:
            checks.add("https://client.example/", {})
        except UpDownIoError as exc:
            refused = exc.status_code
        deleted = checks.delete(url="https://client.example/")
        return locals()

    seen = await asyncio.to_thread(scenario)
    made = seen["made"]
    assert made["alias"] == "Client" and made["recipients"] == [seen["hook"]["id"]]
    assert made["custom_headers"] == {"X-Env": "test"} and made["disabled_locations"] == []
    assert seen["shown"]["token"] == made["token"]
    assert "metrics" in seen["by_token"]
    assert (seen["changed"]["period"], seen["changed"]["published"]) == (60, True)
    assert seen["metrics"] == {} == seen["by_host"]
    assert seen["whole"]["requests"]["samples"] == 0
    assert seen["node_list"]["local"]["city"] == "Paris" and seen["node_ips"] == ["192.0.2.1"]
    assert seen["downtimes"] == []
    assert seen["listed_pages"][0]["description"] == "All of it"
    assert seen["deleted_page"] is True and seen["deleted"] is True
    assert [r["id"] for r in seen["listed_recipients"]] == [seen["hook"]["id"]]
    assert seen["refused"] == 400


async def test_a_pulse_check_goes_up_on_a_curl_ping_and_down_when_pings_stop(
    runtime: Runtime, served_app: str, account: CreatedKey, probe_ctx: ProbeContext
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    checks = client("checks", served_app, account)
    pulse = await asyncio.to_thread(checks.add, None, {"type": "pulse", "period": 300})
    assert pulse["url"].startswith(f"{served_app}/pulse/")
    curl = await asyncio.create_subprocess_exec(
        "curl", "-sS", "-m", "10", pulse["url"], stdout=subprocess.PIPE
    )
    answer, _ = await curl.communicate()
    assert curl.returncode == 0 and answer.startswith(b"OK: ")
    engine = Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=2))
    await engine.run_once()
    up = await asyncio.to_thread(checks.show, pulse["token"])
    assert (up["down"], up["up_since"] is not None) == (False, True)
    clock.advance(300 + 60 + 1)  # the period and the grace, without a ping
    await engine.run_once()
    down = await asyncio.to_thread(checks.show, pulse["token"])
    assert down["down"] is True and down["error"]
