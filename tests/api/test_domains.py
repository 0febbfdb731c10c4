"""`/v1/domains`: the native face of DNS-record monitoring, with a real knotd behind the
"check now" endpoint."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from watchwire.clock import FrozenClock
from watchwire.engine.jobs import JobRunner
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.target_policy import TargetPolicy

__all__ = ["knot_factory"]

RECORD = {"type": "CNAME", "host": "www", "value": "app.example.net", "ttl": 300}


async def test_create_read_update_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = {"domain": "Example.COM", "user_id": "customer-1", "dnsRecords": [RECORD]}
    created = await client.post("/v1/domains", json=body, headers=auth)
    assert created.status_code == 201, created.text
    domain = created.json()["data"]
    assert domain["sid"].startswith("DM") and len(domain["sid"]) == 34
    assert (domain["domain"], domain["user_id"], domain["status"]) == (
        "example.com",
        "customer-1",
        "active",
    )
    assert domain["records"] == [RECORD]
    assert domain["expiry"]["status"] == "pending"

    by_name = await client.get("/v1/domains/example.com", headers=auth)
    assert by_name.json()["data"]["sid"] == domain["sid"]
    changed = await client.put(f"/v1/domains/{domain['sid']}", json={"paused": True}, headers=auth)
    assert changed.json()["data"]["status"] == "paused"
    again = await client.post("/v1/domains", json=body, headers=auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "domain_exists"
    gone = await client.delete("/v1/domains/example.com", headers=auth)
    assert gone.status_code == 200
    assert (await client.get("/v1/domains/example.com", headers=auth)).status_code == 404


async def test_bad_input_names_the_field(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    cases = [
        ({"domain": "localhost"}, "domain"),
        ({"domain": "a.test", "records": [{"type": "LOC", "value": "x"}]}, "records.0.type"),
        ({"domain": "a.test", "records": [{"type": "A"}]}, "records.0.value"),
        ({"domain": "a.test", "records": [{"type": "A", "value": "1", "ttl": 0}]}, "records.0.ttl"),
        ({"domain": "a.test", "colour": "red"}, "colour"),
        ({"domain": "a.test", "contact_groups": ["CG" + "0" * 32]}, "contact_groups[0]"),
    ]
    for body, field in cases:
        response = await client.post("/v1/domains", json=body, headers=auth)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field, response.text


async def test_list_pages_with_offset_and_limit(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert isinstance(runtime.clock, FrozenClock)
    for i in range(5):
        runtime.clock.advance(1)  # oldest first
        response = await client.post("/v1/domains", json={"domain": f"d{i}.test"}, headers=auth)
        assert response.status_code == 201
    page = await client.get("/v1/domains?offset=2&limit=2", headers=auth)
    body = page.json()
    assert [d["domain"] for d in body["data"]] == ["d2.test", "d3.test"]
    assert body["meta"]["pagination"] == {
        "total": 5,
        "offset": 2,
        "limit": 2,
        "page": 2,
        "per_page": 2,
        "pages": 3,
    }
    later = await client.get("/v1/domains?from_date=2026-11-25", headers=auth)
    assert later.json()["data"] == []
    bad = await client.get("/v1/domains?limit=500", headers=auth)
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "limit"
    wrong = await client.get("/v1/domains?from_date=someday", headers=auth)
    assert wrong.status_code == 400


async def test_records_endpoints(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await client.post("/v1/domains", json={"domain": "shop.test"}, headers=auth)
    added = await client.post(
        "/v1/domains/shop.test/records", json={"dnsRecords": [RECORD]}, headers=auth
    )
    assert added.status_code == 201 and added.json()["data"] == [RECORD]
    apex = {"type": "A", "host": "@", "value": "192.0.2.1", "ttl": 60}
    replaced = await client.put(
        "/v1/domains/shop.test/records", json={"records": [RECORD, apex]}, headers=auth
    )
    assert replaced.json()["data"] == [RECORD, apex]
    removed = await client.request(
        "DELETE", "/v1/domains/shop.test/records", json={"records": [RECORD]}, headers=auth
    )
    assert removed.json()["data"] == [apex]
    listed = await client.get("/v1/domains/shop.test/records", headers=auth)
    assert listed.json()["data"] == [apex]
    empty = await client.post("/v1/domains/shop.test/records", json={"records": []}, headers=auth)
    assert empty.status_code == 400


async def test_batch_is_accepted_then_processed(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    domains = [{"domain": f"b{i}.test", "records": [RECORD]} for i in range(100)]
    accepted = await client.post("/v1/domains/batch", json={"domains": domains}, headers=auth)
    assert accepted.status_code == 202, accepted.text
    request_id = accepted.json()["data"]["request_id"]
    status = await client.get(f"/v1/domains/batch/{request_id}", headers=auth)
    assert status.json()["data"]["status"] == "pending"
    await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "w").run_once()
    done = (await client.get(f"/v1/domains/batch/{request_id}", headers=auth)).json()["data"]
    assert (done["status"], done["succeeded"], done["failed"]) == ("completed", 100, 0)
    assert done["results"][0] == {
        "domain": "b0.test",
        "status": "created",
        "sid": done["results"][0]["sid"],
    }
    too_many = await client.post(
        "/v1/domains/batch", json={"domains": [*domains, {"domain": "x.test"}]}, headers=auth
    )
    assert too_many.status_code == 400
    unknown = await client.get("/v1/domains/batch/BR" + "0" * 32, headers=auth)
    assert unknown.status_code == 404


async def test_check_now_runs_the_check_and_returns_the_state(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    knot_factory: Callable[..., KnotServer],
) -> None:
    knot = knot_factory([Zone("shop.test.", "www CNAME app.example.net.\n")])
    runtime.domains.records_job.probe_ctx = ProbeContext(
        policy=TargetPolicy(allow_private=True), resolver=knot.address, clock=runtime.clock
    )
    records = [RECORD, {"type": "A", "host": "@", "value": "192.0.2.1", "ttl": 300}]
    await client.post("/v1/domains", json={"domain": "shop.test", "records": records}, headers=auth)
    checked = await client.post("/v1/domains/shop.test/check", headers=auth)
    assert checked.status_code == 200, checked.text
    state = checked.json()["data"]
    assert state["state"] == "missing"
    assert state["records_non_propagated"] == [records[1]]
    assert state["last_checked_at"] == "2026-11-24T12:00:00Z"
    assert state["next_check_at"] == "2026-11-24T13:00:00Z"
    # .test has no RDAP service in the shipped bootstrap data: a clear unknown.
    assert state["expiry"]["status"] == "unknown"
    events = (await client.get("/v1/events", headers=auth)).json()["data"]
    assert [e["type"] for e in events] == ["domain.record_missing"]


async def test_settings(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    shown = await client.get("/v1/domains/settings", headers=auth)
    assert shown.json()["data"] == {"check_interval": 3600, "expiry_days": [30, 14, 7, 1]}
    changed = await client.put(
        "/v1/domains/settings", json={"check_interval": 900, "expiry_days": [7, 60]}, headers=auth
    )
    assert changed.json()["data"] == {"check_interval": 900, "expiry_days": [60, 7]}
    refused = await client.put("/v1/domains/settings", json={"check_interval": 5}, headers=auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "check_interval"
