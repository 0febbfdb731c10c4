"""`/v1/cert-monitors`, `/v1/cert-profiles` and `/v1/cert-errors` over HTTP, on SQLite and
PostgreSQL, against a real TLS server for "check now"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.swappable_tls import cert_pki, swappable_tls_server
from tests.servers.tls_servers import Pki, write_pem
from watchwire.clock import FrozenClock
from watchwire.config import Settings

__all__ = ["cert_pki", "swappable_tls_server"]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(tmp_path: Path, cert_pki: Pki) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-hashing-key",
        allow_private_targets=True,
        ca_file=write_pem(tmp_path / "root.pem", cert_pki.root),
    )


async def post(client: httpx.AsyncClient, auth: dict[str, str], path: str, **body: Any) -> Any:
    response = await client.post(path, json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def test_profiles_have_003_defaults_and_one_default(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    first = await post(client, auth, "/v1/cert-profiles", name="Standard")
    assert first["sid"].startswith("CP") and len(first["sid"]) == 34
    assert {k: v for k, v in first.items() if k.startswith("alert_on")} == {
        "alert_on_expiration": True,
        "alert_on_name_mismatch": True,
        "alert_on_ca_failure": True,
        "alert_on_connection_failure": True,
        "alert_on_caa_failure": False,
        "alert_on_misconfigurations": True,
        "alert_on_changes": True,
    }
    assert first["expiration_thresholds"] == [30, 14, 7]
    assert first["is_default"] is True  # the account's first profile

    second = await post(
        client, auth, "/v1/cert-profiles", name="Strict", expiration_thresholds="7,45,14"
    )
    assert second["expiration_thresholds"] == [45, 14, 7]
    assert second["is_default"] is False
    taken = await client.patch(
        f"/v1/cert-profiles/{second['sid']}", json={"is_default": True}, headers=auth
    )
    assert taken.json()["data"]["is_default"] is True
    listed = (await client.get("/v1/cert-profiles", headers=auth)).json()["data"]
    assert {p["sid"]: p["is_default"] for p in listed} == {first["sid"]: False, second["sid"]: True}

    refused = await client.patch(
        f"/v1/cert-profiles/{second['sid']}", json={"is_default": False}, headers=auth
    )
    assert refused.status_code == 400
    bad = await client.post(
        "/v1/cert-profiles", json={"name": "x", "expiration_thresholds": "30,soon"}, headers=auth
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "expiration_thresholds"


async def test_monitor_lifecycle_and_check_now(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    cert_pki: Pki,
    swappable_tls_server: Any,
) -> None:
    server = await swappable_tls_server(cert_pki.case(cert_pki.leaf(names=("other.example",))))
    created = await post(
        client,
        auth,
        "/v1/cert-monitors",
        hostname="127.0.0.1",
        protocol="https",
        port=server.port,
        name="shop",
        tags=["web"],
    )
    sid = created["sid"]
    assert sid.startswith("CM") and len(sid) == 34
    assert created["status"] == "active" and created["interval"] == 21_600
    assert created["profile"].startswith("CP")  # a default profile was made for it
    profile = (await client.get(f"/v1/cert-profiles/{created['profile']}", headers=auth)).json()
    assert profile["data"]["is_default"] is True

    checked = await client.post(f"/v1/cert-monitors/{sid}/check", headers=auth)
    assert checked.status_code == 200, checked.text
    state = checked.json()["data"]
    assert state["last_outcome"] == "down"
    assert [e["error_type"] for e in state["errors"]] == ["name_mismatch"]
    assert state["certificate"]["sans"] == ["other.example"]
    errors = (await client.get("/v1/cert-errors", headers=auth)).json()
    assert errors["meta"]["pagination"]["total"] == 1
    [error] = errors["data"]
    assert error["monitor"] == sid and error["monitor_name"] == "shop"
    assert error["error_type"] == "name_mismatch" and error["id"].startswith("CE")

    paused = await client.post(f"/v1/cert-monitors/{sid}/pause", headers=auth)
    assert paused.json()["data"]["status"] == "paused"
    resumed = await client.post(f"/v1/cert-monitors/{sid}/resume", headers=auth)
    assert resumed.json()["data"]["status"] == "active"

    in_use = await client.delete(f"/v1/cert-profiles/{created['profile']}", headers=auth)
    assert in_use.status_code == 409

    moved = await client.patch(f"/v1/cert-monitors/{sid}", json={"port": 1}, headers=auth)
    assert moved.json()["data"]["errors"] == []  # a new endpoint starts afresh
    assert (await client.get("/v1/cert-errors", headers=auth)).json()["data"] == []

    by_tag = (await client.get("/v1/cert-monitors?tag=web", headers=auth)).json()["data"]
    assert [m["sid"] for m in by_tag] == [sid]
    assert (await client.delete(f"/v1/cert-monitors/{sid}", headers=auth)).status_code == 200
    gone = await client.get(f"/v1/cert-monitors/{sid}", headers=auth)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hostname": "https://example.com/", "protocol": "https"}, "hostname"),
        ({"hostname": "example.com", "protocol": "gopher"}, "protocol"),
        ({"hostname": "example.com", "protocol": "https", "interval": 60}, "interval"),
        ({"hostname": "example.com", "protocol": "https", "profile": "CPnope"}, "profile"),
        ({"hostname": "example.com", "protocol": "smtp", "port": 0}, "port"),
        (
            {"hostname": "example.com", "protocol": "https", "contact_groups": ["CG" + "0" * 32]},
            "contact_groups[0]",
        ),
    ],
)
async def test_invalid_monitors_name_the_field(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/cert-monitors", json=body, headers=auth)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["field"] == field
