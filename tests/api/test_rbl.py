"""`/v1/rbl/…` end to end: hosts (a subnet creates several), profiles and their 003 rules,
sources (catalogue and custom), listings with their totals, manual checks and "check now",
against a real rbldnsd."""

from __future__ import annotations

from typing import Any

import httpx

from tests.servers.rbl_monitoring import rbl_server, rbldnsd_factory, settings
from tests.servers.rbldnsd import RbldnsdServer
from watchwire.engine.jobs import JobRunner
from watchwire.probes.rbl.catalog import load_catalog
from watchwire.runtime import Runtime

__all__ = ["rbl_server", "rbldnsd_factory", "settings"]


async def _post(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, body: Any, status: int = 201
) -> Any:
    response = await client.post(path, json=body, headers=auth)
    assert response.status_code == status, response.text
    return response.json()["data"]


def _error_field(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    return str(response.json()["error"]["details"][0]["field"])


async def _local_profile(client: httpx.AsyncClient, auth: dict[str, str]) -> tuple[str, str]:
    source = await _post(client, auth, "/v1/rbl/sources", {"host": "bl-one.test", "type": "rbl"})
    profile = await _post(
        client,
        auth,
        "/v1/rbl/profiles",
        {"name": "local", "entries": source["id"], "frequency": "6_hours"},
    )
    return profile["id"], source["id"]


async def test_sources_catalogue_and_custom(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    listed = (await client.get("/v1/rbl/sources?per_page=100", headers=auth)).json()
    active = [s for s in load_catalog() if s.state == "active"]
    assert listed["meta"]["pagination"]["total"] == len(active)
    first = listed["data"][0]
    assert first["id"].startswith("RB") and len(first["id"]) == 34
    assert first["custom"] is False and first["status"] == "active"
    assert first["host"] == active[0].zone

    custom = await _post(
        client,
        auth,
        "/v1/rbl/sources",
        {"host": "Custom.RBL.example.com.", "type": "rbl", "custom_codes": "127.0.0.2,127.0.0.3"},
    )
    assert custom["host"] == "custom.rbl.example.com" and custom["custom"] is True
    assert custom["custom_codes"] == ["127.0.0.2", "127.0.0.3"]
    sid = custom["id"]
    changed = await client.put(
        f"/v1/rbl/sources/{sid}", json={"host": "updated.rbl.example.com"}, headers=auth
    )
    assert changed.json()["data"]["host"] == "updated.rbl.example.com"
    assert changed.json()["data"]["custom_codes"] == ["127.0.0.2", "127.0.0.3"]
    paused = await client.post(f"/v1/rbl/sources/{sid}/pause", headers=auth)
    assert paused.json()["data"]["status"] == "paused"

    # A catalogue source can be paused for this account, never changed or deleted.
    catalogue = first["id"]
    await client.post(f"/v1/rbl/sources/{catalogue}/pause", headers=auth)
    assert (await client.get(f"/v1/rbl/sources/{catalogue}", headers=auth)).json()["data"][
        "status"
    ] == "paused"
    resumed = await client.post(f"/v1/rbl/sources/{catalogue}/resume", headers=auth)
    assert resumed.json()["data"]["status"] == "active"
    assert (await client.delete(f"/v1/rbl/sources/{catalogue}", headers=auth)).status_code == 403
    refused = await client.patch(f"/v1/rbl/sources/{catalogue}", json={"type": "rbl"}, headers=auth)
    assert refused.status_code == 403

    bad = [
        ({"host": "not a zone", "type": "rbl"}, "host"),
        ({"host": "ok.example", "type": "dnsbl"}, "type"),
        ({"host": "ok.example", "type": "rbl", "custom_codes": "10.0.0.1"}, "custom_codes[0]"),
        ({"host": "ok.example", "type": "rbl", "colour": "red"}, "colour"),
    ]
    for body, field in bad:
        assert _error_field(await client.post("/v1/rbl/sources", json=body, headers=auth)) == field

    # Deleting a custom source takes it out of the profiles that selected it.
    other = await _post(client, auth, "/v1/rbl/sources", {"host": "two.example", "type": "rbl"})
    profile = await _post(
        client, auth, "/v1/rbl/profiles", {"name": "p", "entries": [sid, other["id"]]}
    )
    assert (await client.delete(f"/v1/rbl/sources/{sid}", headers=auth)).status_code == 200
    shown = (await client.get(f"/v1/rbl/profiles/{profile['id']}", headers=auth)).json()["data"]
    assert shown["entries"] == [other["id"]]
    assert (await client.get(f"/v1/rbl/sources/{sid}", headers=auth)).status_code == 404


async def test_profiles_follow_003s_rules(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    synced = await _post(
        client, auth, "/v1/rbl/profiles", {"name": "All lists", "frequency": "1_hour"}
    )
    assert synced["sync_method"] == "stay_in_sync" and synced["entries"] == []
    assert synced["is_default"] is True  # the first profile is the default
    source = await _post(client, auth, "/v1/rbl/sources", {"host": "bl.example", "type": "rbl"})
    chosen = await _post(
        client,
        auth,
        "/v1/rbl/profiles",
        {
            "name": "Mine",
            "entries": source["id"],
            "sync_method": "stay_in_sync",
            "frequency": "2_weeks",
            "is_default": "true",
        },
    )
    # entries given: use_my_selections, whatever was asked
    assert chosen["sync_method"] == "use_my_selections" and chosen["entries"] == [source["id"]]
    assert chosen["is_default"] is True
    first = (await client.get(f"/v1/rbl/profiles/{synced['id']}", headers=auth)).json()["data"]
    assert first["is_default"] is False  # one default per account

    for body, field in [
        ({"name": "x", "frequency": "5_minutes"}, "frequency"),
        ({"name": "x", "sync_method": "use_my_selections"}, "entries"),
        ({"name": "x", "entries": "RB" + "0" * 32}, "entries[0]"),
        ({"frequency": "1_hour"}, "name"),
    ]:
        assert _error_field(await client.post("/v1/rbl/profiles", json=body, headers=auth)) == field
    # back in sync with the catalogue drops the selection
    resynced = await client.patch(
        f"/v1/rbl/profiles/{chosen['id']}",
        json={"sync_method": "stay_in_sync", "entries": []},
        headers=auth,
    )
    assert resynced.json()["data"]["sync_method"] == "stay_in_sync"
    assert resynced.json()["data"]["entries"] == []
    listed = (await client.get("/v1/rbl/profiles", headers=auth)).json()
    assert listed["meta"]["pagination"]["total"] == 2

    # A profile in use cannot be deleted.
    await _post(client, auth, "/v1/rbl/hosts", {"host": "192.0.2.1", "profile": synced["id"]})
    assert (
        await client.delete(f"/v1/rbl/profiles/{synced['id']}", headers=auth)
    ).status_code == 409


async def test_hosts_subnets_listings_and_checks(
    client: httpx.AsyncClient, auth: dict[str, str], runtime: Runtime, rbl_server: RbldnsdServer
) -> None:
    profile, source = await _local_profile(client, auth)
    hosts = await _post(
        client,
        auth,
        "/v1/rbl/hosts",
        {"host": "192.0.2.8/30", "name": "Mail pool", "profile": profile, "tags": "prod,mail"},
    )
    assert [h["host"] for h in hosts] == ["192.0.2.8", "192.0.2.9", "192.0.2.10", "192.0.2.11"]
    assert {h["type"] for h in hosts} == {"ip_range"}
    assert {h["parent"] for h in hosts} == {"192.0.2.8/30"}
    assert hosts[0]["tags"] == ["prod", "mail"] and hosts[0]["status"] == "active"
    assert hosts[0]["id"].startswith("HT") and hosts[0]["listed"] is False

    [domain] = await _post(client, auth, "/v1/rbl/hosts", {"host": "Example.COM"})
    assert domain["host"] == "example.com" and domain["type"] == "uribl"
    assert domain["name"] == "example.com"
    assert domain["profile"] == profile  # none named: the default, the account's first

    duplicate = await client.post("/v1/rbl/hosts", json={"host": "192.0.2.9"}, headers=auth)
    assert duplicate.status_code == 409
    for body, field in [
        ({"host": "10.0.0.0/16"}, "host"),
        ({"host": "not an address!"}, "host"),
        ({"host": "192.0.2.50", "profile": "RP" + "0" * 32}, "profile"),
        ({"host": "192.0.2.50", "contact_groups": ["CG" + "0" * 32]}, "contact_groups[0]"),
    ]:
        assert _error_field(await client.post("/v1/rbl/hosts", json=body, headers=auth)) == field

    page = (await client.get("/v1/rbl/hosts?per_page=2", headers=auth)).json()
    assert page["meta"]["pagination"] == {"total": 5, "page": 1, "per_page": 2, "pages": 3}
    assert page["meta"]["total_listed"] == 0
    some = await client.get(f"/v1/rbl/hosts?ids={hosts[0]['id']},{hosts[1]['id']}", headers=auth)
    assert [h["id"] for h in some.json()["data"]] == [hosts[0]["id"], hosts[1]["id"]]

    # 192.0.2.10 gets listed; the scheduled sweep finds it.
    rbl_server.write_zone("bl-one.test", ["192.0.2.10 :127.0.0.2:Listed for spam"])
    rbl_server.reload()
    assert await JobRunner(runtime.db, runtime.clock, runtime.rbl.host_job, "test").run_once() == 5
    listings = (await client.get("/v1/rbl/listings", headers=auth)).json()
    assert [h["host"] for h in listings["data"]] == ["192.0.2.10"]
    assert listings["meta"]["pagination"]["total"] == 1 and listings["meta"]["total_listed"] == 1
    listed = listings["data"][0]
    assert listed["listed_count"] == 1 and listed["listed_period"] == "00:00:00"
    assert listed["listed_details"][0]["id"] == source
    assert listed["listed_details"][0]["details"] == "Listed for spam"
    assert (await client.get("/v1/rbl/hosts", headers=auth)).json()["meta"]["total_listed"] == 1

    # Pause, change, check now, delete.
    sid = listed["id"]
    paused = (await client.post(f"/v1/rbl/hosts/{sid}/pause", headers=auth)).json()["data"]
    assert paused["status"] == "paused" and paused["next_check"] is None
    resumed = (await client.post(f"/v1/rbl/hosts/{sid}/resume", headers=auth)).json()["data"]
    assert resumed["status"] == "active"
    renamed = await client.patch(
        f"/v1/rbl/hosts/{sid}", json={"name": "mx1", "tags": []}, headers=auth
    )
    assert renamed.json()["data"]["name"] == "mx1" and renamed.json()["data"]["tags"] == []
    assert (
        _error_field(
            await client.patch(f"/v1/rbl/hosts/{sid}", json={"host": "192.0.2.99"}, headers=auth)
        )
        == "host"
    )
    rbl_server.write_zone("bl-one.test", [])
    rbl_server.reload()
    checked = await client.post(f"/v1/rbl/hosts/{sid}/check", headers=auth)
    assert checked.status_code == 200, checked.text
    assert checked.json()["data"]["listed"] is False
    assert (await client.get("/v1/rbl/listings", headers=auth)).json()["data"] == []
    assert (await client.delete(f"/v1/rbl/hosts/{sid}", headers=auth)).status_code == 200
    assert (await client.get(f"/v1/rbl/hosts/{sid}", headers=auth)).status_code == 404


async def test_manual_check_answers_at_once_and_is_polled(
    client: httpx.AsyncClient, auth: dict[str, str], runtime: Runtime, rbl_server: RbldnsdServer
) -> None:
    await _local_profile(client, auth)
    rbl_server.write_zone("bl-one.test", ["192.0.2.33 :127.0.0.4:exploited"])
    rbl_server.reload()
    started = await _post(client, auth, "/v1/rbl/checks", {"host": "192.0.2.33"}, status=202)
    assert started["id"].startswith("PP") and len(started["id"]) == 66
    assert started["status"] == "pending" and started["callback_secret"] is None
    path = f"/v1/rbl/checks/{started['id']}"
    assert (await client.get(path, headers=auth)).json()["data"]["status"] == "pending"
    await JobRunner(runtime.db, runtime.clock, runtime.rbl.check_job, "test").run_once()
    done = (await client.get(f"{path}?details=true", headers=auth)).json()["data"]
    assert done["status"] == "completed" and done["listed"] is True
    assert done["details"][0]["return_code"] == "127.0.0.4"

    for body, field in [
        ({}, "host"),
        ({"host": "192.0.2.0/24"}, "host"),
        ({"host": "192.0.2.1", "callback": "ftp://example.com/x"}, "callback"),
        ({"host": "192.0.2.1", "when": "now"}, "when"),
    ]:
        assert _error_field(await client.post("/v1/rbl/checks", json=body, headers=auth)) == field
    unknown = await client.post("/v1/rbl/checks", json={"host": "HT" + "0" * 32}, headers=auth)
    assert unknown.status_code == 404
    assert (await client.get("/v1/rbl/checks/PP" + "0" * 64, headers=auth)).status_code == 404


async def test_a_host_without_profiles_gets_a_default_one(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    [host] = await _post(client, auth, "/v1/rbl/hosts", {"host": "2001:db8::25"})
    assert host["type"] == "rbl_v6"
    profile = (await client.get(f"/v1/rbl/profiles/{host['profile']}", headers=auth)).json()
    assert profile["data"] == {
        **profile["data"],
        "name": "Default",
        "sync_method": "stay_in_sync",
        "frequency": "24_hours",
        "is_default": True,
        "entries": [],
    }
