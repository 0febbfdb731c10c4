"""`/v1/locations`: every key reads the registry; a location's fields as v1 shows them."""

from __future__ import annotations

import httpx

from watchwire.runtime import Runtime


async def test_list_and_get(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await runtime.locations.ensure_own()
    await runtime.locations.create(
        {
            "code": "syd",
            "name": "Sydney",
            "city": "Sydney",
            "country": "Australia",
            "country_code": "AU",
            "latitude": -33.87,
            "longitude": 151.21,
            "ipv4": "198.51.100.4",
            "ipv6": "2001:db8::4",
        }
    )
    listed = await client.get("/v1/locations", headers=auth)
    assert listed.status_code == 200, listed.text
    assert [loc["code"] for loc in listed.json()["data"]] == ["local", "syd"]
    one = (await client.get("/v1/locations/syd", headers=auth)).json()["data"]
    assert {k: one[k] for k in ("city", "country_code", "latitude", "ipv4", "ipv6", "agent")} == {
        "city": "Sydney",
        "country_code": "AU",
        "latitude": -33.87,
        "ipv4": "198.51.100.4",
        "ipv6": "2001:db8::4",
        "agent": True,
    }
    assert "token" not in one and "token_hash" not in one
    missing = await client.get("/v1/locations/mars", headers=auth)
    assert missing.status_code == 404
    assert (await client.get("/v1/locations")).status_code == 401


async def test_monitor_fields(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await runtime.locations.ensure_own()
    body = {"kind": "tcp", "target": "127.0.0.1:9", "paused": True, "disabled_locations": ["mars"]}
    refused = await client.post("/v1/monitors", json=body, headers=auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "disabled_locations[0]"
    body.update(disabled_locations=[], locations=["local"], quorum=1)
    made = (await client.post("/v1/monitors", json=body, headers=auth)).json()["data"]
    assert (made["locations"], made["disabled_locations"], made["quorum"]) == (["local"], [], 1)
