"""`/api/nodes` from the location registry: updown's node objects keyed by code and the
address lists for allow-lists (the server's own location, where webhooks leave from, among
them); `disabled_locations[]` on checks naming the registry's codes; `group=host` metrics
from the per-location rollups."""

from __future__ import annotations

from datetime import timedelta

import httpx

from watchwire.engine.rollup import Point, Rollup
from watchwire.runtime import Runtime
from watchwire.store.tables_locations import location_rollups


async def test_nodes_and_their_addresses(runtime: Runtime, updown: httpx.AsyncClient) -> None:
    await runtime.locations.ensure_own()
    await runtime.locations.update("local", {"ipv4": "192.0.2.1", "ipv6": "2001:db8::1"})
    await runtime.locations.create(
        {
            "code": "syd",
            "name": "Sydney",
            "city": "Sydney",
            "country": "Australia",
            "country_code": "AU",
            "latitude": -33.86,
            "longitude": 151.2,
            "ipv4": "198.51.100.7",
        }
    )
    nodes = (await updown.get("/api/nodes")).json()
    assert list(nodes) == ["local", "syd"]
    assert nodes["syd"] == {
        "ip": "198.51.100.7", "ip6": None, "city": "Sydney", "country": "Australia",
        "country_code": "AU", "lat": -33.86, "lng": 151.2,
    }  # fmt: skip
    assert (await updown.get("/api/nodes/ips")).json() == [
        "192.0.2.1", "198.51.100.7", "2001:db8::1",
    ]  # fmt: skip
    assert (await updown.get("/api/nodes/ipv4")).json() == ["192.0.2.1", "198.51.100.7"]
    assert (await updown.get("/api/nodes/ipv6")).json() == ["2001:db8::1"]

    made = await updown.post(
        "/api/checks", data={"url": "https://n.example/", "disabled_locations[]": ["syd"]}
    )
    assert made.status_code == 201, made.text
    assert made.json()["disabled_locations"] == ["syd"]
    token = made.json()["token"]
    cleared = await updown.put(f"/api/checks/{token}", data={"disabled_locations[]": ""})
    assert cleared.json()["disabled_locations"] == []
    unknown = await updown.put(f"/api/checks/{token}", data={"disabled_locations[]": "mars"})
    assert unknown.status_code == 400
    assert unknown.json()["error"].startswith("Disabled locations[0]")


async def test_metrics_by_host_of_a_check_run_from_two_locations(
    runtime: Runtime, updown: httpx.AsyncClient
) -> None:
    await runtime.locations.ensure_own()
    await runtime.locations.create({"code": "syd", "city": "Sydney", "ipv4": "198.51.100.7"})
    token = (await updown.post("/api/checks", data={"url": "https://h.example/"})).json()["token"]
    hour = (runtime.clock.now() - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    async with runtime.db.transaction() as conn:
        for location, outcome in (("local", "up"), ("syd", "down")):
            counted = Rollup()
            counted.add(Point(token, hour, outcome, 80.0, 60, 500.0, {"dns": 4.0}))
            await conn.execute(
                location_rollups.insert().values(
                    monitor_sid=token, location=location, hour=hour, **counted.to_row()
                )
            )
    by_host = (await updown.get(f"/api/checks/{token}/metrics?group=host")).json()
    assert list(by_host) == ["local", "syd"]
    assert by_host["local"]["apdex"] == 1.0 and by_host["syd"]["apdex"] == 0.0
    assert by_host["syd"]["requests"]["failures"] == 1
    assert by_host["local"]["timings"]["namelookup"] == 4
    assert by_host["syd"]["host"] == {
        "ip": "198.51.100.7", "city": "Sydney", "country": None, "country_code": None,
    }  # fmt: skip
