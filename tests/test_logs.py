"""The log of a real `watchwire serve`: one access-log line per request, and an INFO line
with structured fields when a monitor goes down and up, a delivery attempt fails and an
endpoint is disabled (JSON lines here, so the fields are read back exactly)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.watchwire_processes import (
    WatchwireProcess,
    prepare,
    start_serve,
    watchwire_env,
)
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire import logs
from watchwire.config import Settings

__all__ = ["site", "webhook_receiver"]


def _lines(process: WatchwireProcess) -> list[dict[str, Any]]:
    found = []
    for line in process.log_text().splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


async def _wait_line(
    process: WatchwireProcess, match: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in _lines(process):
            if match(line):
                return line
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such line in {timeout} s:\n{process.log_text()}")


@pytest.fixture
async def serving(tmp_path: Path) -> AsyncIterator[tuple[WatchwireProcess, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    headers = await prepare(url)
    env = watchwire_env(url, log_format="json", delivery_disable_after="3")
    process = await start_serve(env, tmp_path)
    try:
        yield process, headers
    finally:
        await process.stop()


async def test_access_log_line_per_request(
    serving: tuple[WatchwireProcess, dict[str, str]],
) -> None:
    process, headers = serving
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as client:
        answer = await client.get(
            "/v1/account?api-key=secret", headers={**headers, "X-Request-ID": "req-access-1"}
        )
        assert answer.status_code == 200
        missing = await client.get("/v1/monitors/MO" + "0" * 32, headers=headers)
        assert missing.status_code == 404
    line = await _wait_line(process, lambda x: x.get("request_id") == "req-access-1")
    assert line["logger"] == "watchwire.access" and line["level"] == "info"
    assert line["method"] == "GET" and line["path"] == "/v1/account" and line["status"] == 200
    assert line["client"] == "127.0.0.1" and line["duration_ms"] >= 0
    assert line["key"] == headers["X-API-Key"][:34] and line["account"].startswith("AC")
    assert "secret" not in json.dumps(line)  # the query string (a key may be there) is not logged
    assert '"GET /v1/account" 200' in line["message"]
    await _wait_line(
        process, lambda x: x.get("status") == 404 and x.get("path", "").startswith("/v1/monitors/")
    )


async def test_monitor_down_and_up_are_logged(
    serving: tuple[WatchwireProcess, dict[str, str]], site: SwitchableSite
) -> None:
    process, headers = serving
    site.status = 503
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10, headers=headers) as client:
        body = {"kind": "http", "target": site.url, "name": "Shop", "paused": True}
        sid = (await client.post("/v1/monitors", json=body)).json()["data"]["sid"]
        await client.post(f"/v1/monitors/{sid}/resume")  # due at once
        down = await _wait_line(
            process, lambda x: x.get("monitor") == sid and x.get("state") == "down"
        )
        site.status = 200
        await client.post(f"/v1/monitors/{sid}/pause")
        await client.post(f"/v1/monitors/{sid}/resume")
        up = await _wait_line(process, lambda x: x.get("monitor") == sid and x.get("state") == "up")
        events = (await client.get("/v1/events", params={"type": "monitor.down"})).json()["data"]
    assert down["logger"] == "watchwire.engine.recorder" and down["level"] == "info"
    assert down["message"] == "monitor Shop is down"
    assert down["name"] == "Shop" and down["kind"] == "http" and down["target"] == site.url
    assert "503" in down["error"] and down["previous"] == "pending"
    assert down["check"].startswith(sid + "@")
    assert down["check_id"] == sid and up["check_id"] == sid
    assert down["event"] == events[0]["sid"]
    assert up["previous"] == "down" and up["error"] is None and up["event"] != down["event"]


async def test_failed_deliveries_and_a_disabled_endpoint_are_logged(
    serving: tuple[WatchwireProcess, dict[str, str]], webhook_receiver: Receiver
) -> None:
    process, headers = serving
    webhook_receiver.behave("/broken", status=500)
    webhook_receiver.behave("/gone", status=410)
    async with httpx.AsyncClient(base_url=process.base_url, timeout=10, headers=headers) as client:
        broken = (
            await client.post("/v1/webhooks", json={"url": webhook_receiver.url("/broken")})
        ).json()["data"]["sid"]
        gone = (
            await client.post("/v1/webhooks", json={"url": webhook_receiver.url("/gone")})
        ).json()["data"]["sid"]
        test = (await client.post(f"/v1/webhooks/{broken}/test")).json()["data"]
        await client.post(f"/v1/webhooks/{gone}/test")
    failed = await _wait_line(process, lambda x: x.get("target") == broken and "delivery" in x)
    assert failed["logger"] == "watchwire.delivery.outcomes" and failed["level"] == "info"
    assert failed["status"] == "retrying" and failed["status_code"] == 500
    assert (
        failed["attempt"] == 1 and failed["next_attempt_at"] and failed["target_type"] == "webhook"
    )
    assert failed["delivery"] == test["delivery_id"] and failed["event"] == test["event"]["sid"]
    assert failed["delivery_id"] == test["delivery_id"]
    disabled = await _wait_line(process, lambda x: x.get("webhook") == gone)
    assert "disabled" in disabled["message"] and "410" in disabled["reason"]
    assert disabled["consecutive_failures"] == 1 and disabled["delivery"] and disabled["event"]


def test_text_lines_carry_the_fields(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord(
        "watchwire.x", logging.INFO, __file__, 1, "monitor Shop is down", None, None
    )
    record.fields = {"monitor": "MO1", "name": "Shop front", "error": None}
    text = logs.TextFormatter().format(record)
    assert text.endswith('monitor Shop is down monitor=MO1 name="Shop front" error=-')


def test_access_log_format_is_checked() -> None:
    assert Settings(access_log_format="{method} {status}").access_log_format == "{method} {status}"
    with pytest.raises(ValueError, match=r"unknown field \{user\}"):
        Settings(access_log_format="{user} {status}")


async def test_access_log_can_be_turned_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    headers = await prepare(url)
    env = watchwire_env(url, log_format="json", access_log="false")
    process = await start_serve(env, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=process.base_url, timeout=10) as client:
            await client.get("/v1/account", headers=headers)
    finally:
        await process.stop()
    assert not [x for x in _lines(process) if x["logger"] == "watchwire.access"]


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("watchwire.x", logging.WARNING, __file__, 1, message, None, None)


async def test_every_line_names_the_work_it_was_logged_for() -> None:
    """Lines logged inside a request, a check or a delivery carry its id, in JSON and in text;
    concurrent tasks each see their own."""
    seen: dict[str, dict[str, Any]] = {}

    async def work(name: str, check: str) -> None:
        with logs.bound(logs.CHECK_ID, check):
            await asyncio.sleep(0)  # let the other task run in between
            seen[name] = json.loads(logs.JsonFormatter().format(_record(name)))

    with logs.bound(logs.REQUEST_ID, "req-1"), logs.bound(logs.DELIVERY_ID, "DL1"):
        await asyncio.gather(work("a", "MO1"), work("b", "MO2"))
        text = logs.TextFormatter().format(_record("slow"))
    assert seen["a"]["check_id"] == "MO1" and seen["b"]["check_id"] == "MO2"
    assert seen["a"]["request_id"] == "req-1" and seen["b"]["delivery_id"] == "DL1"
    assert text.endswith("slow request_id=req-1 delivery_id=DL1")
    outside = json.loads(logs.JsonFormatter().format(_record("idle")))
    assert not {"request_id", "check_id", "delivery_id"} & set(outside)
