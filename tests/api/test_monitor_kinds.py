"""The tcps, ssl, udp and api monitor kinds through `/v1/monitors` and the engine, on SQLite
and PostgreSQL: created with their options, refused with the field named when the target or
an option does not suit the kind, checked against real local servers, and `last_status` (the
HTTP status or the probe's outcome) in the monitor's answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.servers.json_api import JsonApi, json_api
from tests.servers.tcps_servers import TlsService, tls_service
from tests.servers.udp_servers import UdpEcho, udp_echo
from watchwire.api.native.monitor_bodies import _CREATE
from watchwire.clock import FrozenClock
from watchwire.engine.kinds import KINDS
from watchwire.engine.runner import Engine, EngineConfig
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime

__all__ = ["json_api", "tls_service", "udp_echo"]


async def _create(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("confirmations", 1)
    body.setdefault("allow_duplicate", True)  # the same service watched as tcps and ssl
    response = await client.post("/v1/monitors", json=body, headers=auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _check(runtime: Runtime, probe_ctx: ProbeContext) -> None:
    """One round of the engine a minute later."""
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(60)
    await Engine(runtime.db, probe_ctx, clock, EngineConfig(concurrency=4)).run_once()


async def _get(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get(f"/v1/monitors/{sid}", headers=auth)).json()["data"]
    return data


async def test_tcps_and_ssl_monitors_go_up_and_down_with_the_service(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    tls_service: TlsService,
) -> None:
    options = {"ca_pem": tls_service.ca_pem, "server_name": "localhost", "min_days_left": 7}
    tcps = await _create(client, auth, kind="tcps", target=tls_service.target, options=options)
    assert tcps["options"] == options and tcps["last_status"] is None
    ssl = await _create(
        client,
        auth,
        kind="ssl",
        target="127.0.0.1",
        options={**options, "port": tls_service.port},
    )
    untrusted = await _create(client, auth, kind="tcps", target=tls_service.target)
    await _check(runtime, probe_ctx)
    for sid in (tcps["sid"], ssl["sid"]):
        shown = await _get(client, auth, sid)
        assert (shown["state"], shown["last_status"], shown["last_error"]) == ("up", "up", None)
        assert shown["last_response_ms"] > 0
    refused = await _get(client, auth, untrusted["sid"])
    assert (refused["state"], refused["last_status"]) == ("down", "down")
    assert "trusted root" in refused["last_error"]

    results = await client.get(f"/v1/monitors/{tcps['sid']}/results", headers=auth)
    latest = results.json()["data"][0]
    assert set(latest["timings"]) == {"connect", "tls"}
    assert latest["details"]["days_left"] > 7

    await tls_service.stop()
    await _check(runtime, probe_ctx)
    down = await _get(client, auth, tcps["sid"])
    assert (down["state"], down["last_status"]) == ("down", "down")
    assert "refused the connection" in down["last_error"]


async def test_udp_monitor_wants_its_reply(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    udp_echo: UdpEcho,
) -> None:
    udp_echo.prefix = b"PONG "
    monitor = await _create(
        client,
        auth,
        kind="udp",
        target=udp_echo.target,
        timeout=1,
        options={"payload_hex": "70696e67", "regex": "^PONG ping$"},
    )
    await _check(runtime, probe_ctx)
    shown = await _get(client, auth, monitor["sid"])
    assert (shown["state"], shown["last_status"]) == ("up", "up")
    assert udp_echo.received == [b"ping"]
    udp_echo.answering = False
    await _check(runtime, probe_ctx)
    silent = await _get(client, auth, monitor["sid"])
    assert (silent["state"], silent["last_status"]) == ("down", "down")
    assert silent["last_error"] == "no reply within 1 s"


async def test_api_monitor_is_down_naming_the_failed_assertion_and_keeps_the_http_status(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    probe_ctx: ProbeContext,
    json_api: JsonApi,
) -> None:
    json_api.document = {"data": {"status": "ok", "queue": 2}}
    assertions = [
        {"source": "status", "op": "==", "value": 200},
        {"source": "json", "path": "$.data.status", "op": "==", "value": "ok"},
        {"source": "json", "path": "$.data.queue", "op": "<", "value": 10},
    ]
    monitor = await _create(
        client, auth, kind="api", target=json_api.url, options={"assertions": assertions}
    )
    await _check(runtime, probe_ctx)
    shown = await _get(client, auth, monitor["sid"])
    assert (shown["state"], shown["last_status"]) == ("up", 200)

    json_api.document = {"data": {"status": "ok", "queue": 25}}
    await _check(runtime, probe_ctx)
    failed = await _get(client, auth, monitor["sid"])
    assert (failed["state"], failed["last_status"]) == ("down", 200)
    assert failed["last_error"] == "json $.data.queue < 10 failed: the value is 25"
    checks = (await client.get(f"/v1/monitors/{monitor['sid']}/results", headers=auth)).json()
    assert checks["data"][0]["details"]["assertions"][2] == {
        "assertion": "json $.data.queue < 10",
        "passed": False,
        "actual": 25,
    }

    json_api.status = 502
    await _check(runtime, probe_ctx)
    assert (await _get(client, auth, monitor["sid"]))["last_status"] == 502


STATUS_200 = {"assertions": [{"source": "status", "value": 200}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "tcps", "target": "db.example.com"}, "target"),
        ({"kind": "tcps", "target": "db.example.com:99999"}, "target"),
        ({"kind": "tcps", "target": "db.example.com", "options": {"port": 993}}, "target"),
        ({"kind": "ssl", "target": "https://example.com/"}, "target"),
        ({"kind": "udp", "target": "ntp.example.com"}, "target"),
        ({"kind": "api", "target": "ftp://example.com/", "options": STATUS_200}, "target"),
        ({"kind": "api", "target": "https://example.com/"}, "options.assertions"),
        (
            {
                "kind": "api",
                "target": "https://example.com/",
                "options": {"assertions": [{"source": "json", "value": 1}]},
            },
            "options.assertions.0",
        ),
        (
            {"kind": "udp", "target": "h:53", "options": {"payload_hex": "zz"}},
            "options.payload_hex",
        ),
        (
            {"kind": "tcps", "target": "h:993", "options": {"min_days_left": -1}},
            "options.min_days_left",
        ),
        ({"kind": "ssl", "target": "h", "options": {"protocol": "smtp"}}, "options.protocol"),
    ],
)
async def test_a_target_or_option_that_does_not_suit_the_kind_is_a_400_naming_it(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/monitors", json=body, headers=auth)
    assert response.status_code == 400, response.text
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert field in fields, fields


async def test_a_change_of_target_is_checked_by_the_kind_too(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    monitor = await _create(client, auth, kind="udp", target="127.0.0.1:5353")
    changed = await client.patch(
        f"/v1/monitors/{monitor['sid']}", json={"target": "127.0.0.1"}, headers=auth
    )
    assert changed.status_code == 400
    detail = changed.json()["error"]["details"][0]
    assert detail["field"] == "target" and "HOST:PORT" in detail["message"]
    fine = await client.patch(
        f"/v1/monitors/{monitor['sid']}", json={"target": "[::1]:5353"}, headers=auth
    )
    assert fine.status_code == 200 and fine.json()["data"]["target"] == "[::1]:5353"


def test_the_description_states_each_kinds_target_rule() -> None:
    described = _CREATE.json_schema()["$defs"]
    for name, kind in KINDS.items():
        target = described[f"{name.capitalize()}MonitorCreate"]["properties"]["target"]
        if kind.target_form is not None:
            assert target["pattern"] == kind.target_form.schema_pattern
            assert target["description"].lower() == kind.target_form.says.lower()
