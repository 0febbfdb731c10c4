"""Every request sample of 003's certificate sections (Errors, Monitors, Cert Profiles),
replayed as written (placeholder ids replaced by real ones): status, `status_message`, shape.
No check runs here: creating a monitor only schedules one."""

from __future__ import annotations

import httpx

from tests.dialects.generatorlabs.helpers import replay
from tests.dialects.generatorlabs.test_samples_contacts import GROUP_A, GROUP_B, PAGING, expect

PROFILE = "CP15d4e891d784977cacbfcbb00c48f133"
U = "    -u 'your_account_sid:your_auth_token'"
API = "https://api.generatorlabs.com/4.0"

LIST_ERRORS = f"curl -G {API}/cert/errors.json \\\n{U}"
LIST_MONITORS = f"curl -G {API}/cert/monitors.json \\\n{U}"
CREATE_MONITOR = f"""curl -X POST {API}/cert/monitors.json \\
{U} \\
    -d hostname='example.com' \\
    -d protocol='https' \\
    -d name='My SSL Certificate' \\
    -d profile='CP15d4e891d784977cacbfcbb00c48f133' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234' \\
    -d tags='production,web,ssl'"""
GET_MONITOR = f"curl -G {API}/cert/monitors/{{id}}.json \\\n{U}"
UPDATE_MONITOR = f"""curl -X PUT {API}/cert/monitors/{{id}}.json \\
{U} \\
    -d name='My Updated Monitor' \\
    -d contact_group='CG4f3e2d1c0b9a8776655443322110fedc,CG5a6b7c8d9e0f1234567890abcdef1234' \\
    -d tags='production,web,ssl'"""
DELETE_MONITOR = f"curl -X DELETE {API}/cert/monitors/{{id}}.json \\\n{U}"
PAUSE_MONITOR = f"curl -X POST {API}/cert/monitors/{{id}}/pause.json \\\n{U}"
RESUME_MONITOR = f"curl -X POST {API}/cert/monitors/{{id}}/resume.json \\\n{U}"
LIST_PROFILES = f"curl -G {API}/cert/profiles.json \\\n{U}"
CREATE_PROFILE = f"""curl -X POST {API}/cert/profiles.json \\
{U} \\
    -d name='My Certificate Profile' \\
    -d expiration_thresholds='30,14,7' \\
    -d alert_on_expiration=true \\
    -d alert_on_name_mismatch=true \\
    -d alert_on_misconfigurations=true \\
    -d alert_on_changes=true"""
GET_PROFILE = f"curl -G {API}/cert/profiles/{{id}}.json \\\n{U}"
UPDATE_PROFILE = f"""curl -X PUT {API}/cert/profiles/{{id}}.json \\
{U} \\
    -d name='My Updated Profile' \\
    -d expiration_thresholds='45,14,7' \\
    -d alert_on_misconfigurations=true \\
    -d alert_on_changes=true"""
DELETE_PROFILE = f"curl -X DELETE {API}/cert/profiles/{{id}}.json \\\n{U}"


async def test_cert_profile_samples(gl: httpx.AsyncClient) -> None:
    created = expect(
        await replay(gl, CREATE_PROFILE, {}), "Certificate Profile added successfully.", {"data"}
    )
    profile = created["data"]
    assert profile["id"].startswith("CP") and profile["expiration_thresholds"] == [30, 14, 7]
    assert profile["alert_on_caa_failure"] is False and profile["alert_on_changes"] is True
    ids = {"{id}": profile["id"]}
    keys = PAGING | {"data", "profiles"}
    listed = expect(await replay(gl, LIST_PROFILES, {}), "Certificate Profiles", keys)
    assert listed["profiles"] == listed["data"] == [profile]
    assert expect(await replay(gl, GET_PROFILE, ids), "Certificate Profiles", keys)["data"] == [
        profile
    ]
    expect(
        await replay(gl, UPDATE_PROFILE, ids), "Certificate Profile updated successfully.", set()
    )
    updated = (await replay(gl, GET_PROFILE, ids)).json()["data"][0]
    assert updated["name"] == "My Updated Profile"
    assert updated["expiration_thresholds"] == [45, 14, 7]
    other = await gl.post("/cert/profiles.json", data={"name": "b", "is_default": "True"})
    assert other.json()["data"]["is_default"] is True
    expect(
        await replay(gl, DELETE_PROFILE, ids), "Certificate Profile deleted successfully.", set()
    )
    assert (await replay(gl, GET_PROFILE, ids)).status_code == 404


async def test_cert_monitor_and_error_samples(gl: httpx.AsyncClient) -> None:
    real = {}
    for placeholder in (GROUP_A, GROUP_B):
        response = await gl.post("/contact/groups.json", data={"name": placeholder[-4:]})
        real[placeholder] = response.json()["data"]["id"]
    real[PROFILE] = (await gl.post("/cert/profiles.json", data={"name": "p"})).json()["data"]["id"]
    created = expect(
        await replay(gl, CREATE_MONITOR, real), "Certificate Monitor added successfully.", {"data"}
    )
    monitor = created["data"]
    assert (monitor["hostname"], monitor["protocol"], monitor["name"]) == (
        "example.com",
        "https",
        "My SSL Certificate",
    )
    assert monitor["profile"] == real[PROFILE] and monitor["tags"] == ["production", "web", "ssl"]
    assert sorted(monitor["contact_group"]) == sorted([real[GROUP_A], real[GROUP_B]])
    ids = {**real, "{id}": monitor["id"]}
    keys = PAGING | {"data", "monitors"}
    listed = expect(await replay(gl, LIST_MONITORS, {}), "Certificate Monitors", keys)
    assert listed["monitors"] == listed["data"] == [monitor]
    got = expect(await replay(gl, GET_MONITOR, ids), "Certificate Monitors", keys)
    assert got["data"] == [monitor]
    expect(
        await replay(gl, UPDATE_MONITOR, ids), "Certificate Monitor updated successfully.", set()
    )
    assert (await replay(gl, GET_MONITOR, ids)).json()["data"][0]["name"] == "My Updated Monitor"
    expect(await replay(gl, PAUSE_MONITOR, ids), "Certificate Monitor paused successfully.", set())
    assert (await replay(gl, GET_MONITOR, ids)).json()["data"][0]["status"] == "paused"
    expect(
        await replay(gl, RESUME_MONITOR, ids), "Certificate Monitor activated successfully.", set()
    )
    assert (await replay(gl, GET_MONITOR, ids)).json()["data"][0]["status"] == "active"
    errors = expect(
        await replay(gl, LIST_ERRORS, {}),
        "Certificate Errors",
        PAGING | {"data", "errors", "total_errors"},
    )
    assert errors["total_errors"] == 0 and errors["data"] == errors["errors"] == []
    assert (await gl.get("/cert/errors/count")).text == "0"
    assert (await gl.get("/rbl/listings/count")).text == "0"
    expect(
        await replay(gl, DELETE_MONITOR, ids), "Certificate Monitor deleted successfully.", set()
    )
    assert (await replay(gl, GET_MONITOR, ids)).status_code == 404
