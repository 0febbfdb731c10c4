"""Every request sample of 003's Check, Listings, Hosts, Monitoring Profiles and Sources
sections, replayed as written (placeholder ids replaced by real ones): status,
`status_message` and shape."""

from __future__ import annotations

from typing import Any

import httpx

from tests.dialects.generatorlabs.helpers import replay
from tests.dialects.generatorlabs.test_samples_contacts import GROUP_A, GROUP_B, PAGING, expect

PROFILE = "RP9f8e7d6c5b4a3210fedcba0987654321"
SOURCE_A = "RB1234567890abcdef1234567890abcdef"
SOURCE_B = "RB0987654321fedcba0987654321fedcba"
U = "    -u 'your_account_sid:your_auth_token'"
API = "https://api.generatorlabs.com/4.0"

START_CHECK = f"""curl -X POST {API}/rbl/check/start.json \\
{U} \\
    -d host='10.10.10.11' \\
    -d callback='https://your.website.com/callback.php' \\
    -d details=true"""
CHECK_STATUS = f"""curl -G {API}/rbl/check/status/{{id}}.json?details=true \\
{U}"""
LISTINGS = f"curl -G {API}/rbl/listings.json \\\n{U}"
LIST_HOSTS = f"curl -G {API}/rbl/hosts.json \\\n{U}"
CREATE_HOST = f"""curl -X POST {API}/rbl/hosts.json \\
{U} \\
    -d name='My New Host' \\
    -d host='10.10.10.11' \\
    -d profile='RP9f8e7d6c5b4a3210fedcba0987654321' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234' \\
    -d tags='production,web'"""
GET_HOST = f"curl -G {API}/rbl/hosts/{{id}}.json \\\n{U}"
UPDATE_HOST = f"""curl -X PUT {API}/rbl/hosts/{{id}}.json \\
{U} \\
    -d name='My Updated Host' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234' \\
    -d tags='production,web'"""
DELETE_HOST = f"curl -X DELETE {API}/rbl/hosts/{{id}}.json \\\n{U}"
PAUSE_HOST = f"curl -X POST {API}/rbl/hosts/{{id}}/pause.json \\\n{U}"
RESUME_HOST = f"curl -X POST {API}/rbl/hosts/{{id}}/resume.json \\\n{U}"
LIST_PROFILES = f"curl -G {API}/rbl/profiles.json \\\n{U}"
CREATE_PROFILE = f"""curl -X POST {API}/rbl/profiles.json \\
{U} \\
    -d name='My Custom Profile' \\
    -d entries='RB1234567890abcdef1234567890abcdef,RB0987654321fedcba0987654321fedcba'"""
GET_PROFILE = f"curl -G {API}/rbl/profiles/{{id}}.json \\\n{U}"
UPDATE_PROFILE = f"""curl -X PUT {API}/rbl/profiles/{{id}}.json \\
{U} \\
    -d name='Updated Profile Name' \\
    -d entries='RB1234567890abcdef1234567890abcdef,RB0987654321fedcba0987654321fedcba'"""
DELETE_PROFILE = f"curl -X DELETE {API}/rbl/profiles/{{id}}.json \\\n{U}"
LIST_SOURCES = f"curl -G {API}/rbl/sources.json \\\n{U}"
CREATE_SOURCE = f"""curl -X POST {API}/rbl/sources.json \\
{U} \\
    -d host='custom.rbl.example.com' \\
    -d type='rbl' \\
    -d custom_codes='127.0.0.2,127.0.0.3'"""
GET_SOURCE = f"curl -G {API}/rbl/sources/{{id}}.json \\\n{U}"
UPDATE_SOURCE = f"""curl -X PUT {API}/rbl/sources/{{id}}.json \\
{U} \\
    -d host='updated.rbl.example.com' \\
    -d custom_codes='127.0.0.2,127.0.0.3'"""
DELETE_SOURCE = f"curl -X DELETE {API}/rbl/sources/{{id}}.json \\\n{U}"
PAUSE_SOURCE = f"curl -X POST {API}/rbl/sources/{{id}}/pause.json \\\n{U}"
RESUME_SOURCE = f"curl -X POST {API}/rbl/sources/{{id}}/resume.json \\\n{U}"


async def _ids(gl: httpx.AsyncClient) -> dict[str, str]:
    """Real groups and catalogue sources for the samples' placeholders."""
    real: dict[str, str] = {}
    for placeholder in (GROUP_A, GROUP_B):
        response = await gl.post("/contact/groups.json", data={"name": placeholder[-4:]})
        real[placeholder] = response.json()["data"]["id"]
    sources = (await gl.get("/rbl/sources.json")).json()["sources"]
    real[SOURCE_A], real[SOURCE_B] = sources[0]["id"], sources[1]["id"]
    return real


async def test_source_samples(gl: httpx.AsyncClient) -> None:
    listed = expect(
        await replay(gl, LIST_SOURCES, {}), "Data Sources", PAGING | {"data", "sources"}
    )
    assert listed["total"] > 0 and listed["data"] == listed["sources"]
    created = expect(
        await replay(gl, CREATE_SOURCE, {}), "Custom RBL added successfully.", {"data"}
    )
    source = created["data"]
    assert (source["host"], source["type"], source["custom"]) == (
        "custom.rbl.example.com",
        "rbl",
        True,
    )
    assert source["custom_codes"] == ["127.0.0.2", "127.0.0.3"]
    ids = {"{id}": source["id"]}
    got = expect(await replay(gl, GET_SOURCE, ids), "Data Sources", PAGING | {"data", "sources"})
    assert got["data"] == [source]
    expect(await replay(gl, UPDATE_SOURCE, ids), "Custom RBL updated successfully.", set())
    expect(await replay(gl, PAUSE_SOURCE, ids), "Custom RBL paused successfully.", set())
    paused = (await replay(gl, GET_SOURCE, ids)).json()["data"][0]
    assert (paused["host"], paused["status"]) == ("updated.rbl.example.com", "paused")
    expect(await replay(gl, RESUME_SOURCE, ids), "Custom RBL activated successfully.", set())
    assert (await replay(gl, GET_SOURCE, ids)).json()["data"][0]["status"] == "active"
    expect(await replay(gl, DELETE_SOURCE, ids), "Custom RBL deleted successfully.", set())
    assert (await replay(gl, GET_SOURCE, ids)).status_code == 404


async def test_profile_samples(gl: httpx.AsyncClient) -> None:
    real = await _ids(gl)
    created = expect(
        await replay(gl, CREATE_PROFILE, real), "Monitoring Profile added successfully.", {"data"}
    )
    profile = created["data"]
    assert profile["entries"] == [real[SOURCE_A], real[SOURCE_B]]
    assert profile["sync_method"] == "use_my_selections"
    ids = {**real, "{id}": profile["id"]}
    listed = expect(
        await replay(gl, LIST_PROFILES, {}), "Monitoring Profiles", PAGING | {"data", "profiles"}
    )
    assert profile["id"] in [p["id"] for p in listed["profiles"]]
    got = expect(
        await replay(gl, GET_PROFILE, ids), "Monitoring Profiles", PAGING | {"data", "profiles"}
    )
    assert got["data"] == [profile]
    expect(await replay(gl, UPDATE_PROFILE, ids), "Monitoring Profile updated successfully.", set())
    assert (await replay(gl, GET_PROFILE, ids)).json()["data"][0]["name"] == "Updated Profile Name"
    other = await gl.post("/rbl/profiles.json", data={"name": "other", "is_default": "True"})
    assert other.json()["data"]["is_default"] is True
    expect(await replay(gl, DELETE_PROFILE, ids), "Monitoring profile deleted successfully.", set())


async def test_host_samples(gl: httpx.AsyncClient) -> None:
    real = await _ids(gl)
    profile = (await gl.post("/rbl/profiles.json", data={"name": "mail"})).json()["data"]["id"]
    real[PROFILE] = profile
    created = expect(await replay(gl, CREATE_HOST, real), "Host added successfully.", {"data"})
    [host] = created["data"]
    assert (host["host"], host["name"], host["profile"]) == ("10.10.10.11", "My New Host", profile)
    assert sorted(host["contact_group"]) == sorted([real[GROUP_A], real[GROUP_B]])
    assert host["tags"] == ["production", "web"] and host["status"] == "active"
    ids = {**real, "{id}": host["id"]}
    hosts_keys = PAGING | {"data", "hosts", "total_listed"}
    listed = expect(await replay(gl, LIST_HOSTS, {}), "Hosts", hosts_keys)
    assert listed["hosts"] == listed["data"] == [host] and listed["total_listed"] == 0
    assert expect(await replay(gl, GET_HOST, ids), "Hosts", hosts_keys)["data"] == [host]
    expect(await replay(gl, UPDATE_HOST, ids), "Host updated successfully.", set())
    assert (await replay(gl, GET_HOST, ids)).json()["data"][0]["name"] == "My Updated Host"
    expect(await replay(gl, PAUSE_HOST, ids), "Host paused successfully.", set())
    assert (await replay(gl, GET_HOST, ids)).json()["data"][0]["status"] == "paused"
    expect(await replay(gl, RESUME_HOST, ids), "Host activated successfully.", set())
    assert (await replay(gl, GET_HOST, ids)).json()["data"][0]["status"] == "active"
    several = (await gl.get("/rbl/hosts.json", params={"ids": host["id"]})).json()
    assert several["hosts"] == [(await replay(gl, GET_HOST, ids)).json()["data"][0]]
    listings = expect(
        await replay(gl, LISTINGS, {}), "Listings", PAGING | {"data", "listings", "total_listed"}
    )
    assert listings["data"] == [] and listings["total_listed"] == 0
    expect(await replay(gl, DELETE_HOST, ids), "Host deleted successfully.", set())
    assert (await replay(gl, GET_HOST, ids)).status_code == 404


async def test_check_samples(gl: httpx.AsyncClient) -> None:
    started = expect(await replay(gl, START_CHECK, {}), "Check started successfully.", {"data"})
    check: dict[str, Any] = started["data"]
    assert check["id"].startswith("PP") and len(check["id"]) == 66
    status = expect(
        await replay(gl, CHECK_STATUS, {"{id}": check["id"]}),
        "Check status retrieved successfully.",
        {"data"},
    )
    assert status["data"]["status"] in ("pending", "running", "completed")
