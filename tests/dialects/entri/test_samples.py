"""Every request of 002 (its Quickstart and each endpoint of its API reference, plus `/token`,
`/monitor/health` and `/monitor/status` from GAPS.md) sent over real HTTP to a running
server, with the answers' shapes as docs/dialects/entri.md shows them. 002 collapses its
sample bodies to `{ }`: the requests here are the ones its prose describes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.servers.generatorlabs_api import served_app
from watchwire.clock import FrozenClock
from watchwire.engine.jobs import JobRunner
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["served_app"]

CNAME = {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 3600}
TXT = {"type": "TXT", "host": "@", "value": "myapp-verify=8a1f", "ttl": 3600}
MX = {"type": "MX", "host": "@", "value": "mail.saas.example", "ttl": 3600, "priority": "10"}


@pytest.fixture
async def http(served_app: str, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the running server with 002's headers, its token from `POST /token`."""
    async with httpx.AsyncClient(base_url=served_app, timeout=10) as client:
        body = {"applicationId": account.sid, "secret": account.secret}
        issued = await client.post("/token", json=body)
        assert issued.status_code == 200, issued.text
        assert set(issued.json()) == {"auth_token"}
        client.headers.update(
            {"applicationId": account.sid, "Authorization": f"Bearer {issued.json()['auth_token']}"}
        )
        yield client


def _domain_keys() -> set[str]:
    return {
        "domain",
        "user_id",
        "status",
        "state",
        "dnsRecords",
        "records_propagated",
        "records_non_propagated",
        "last_checked_at",
        "next_check_at",
        "created_at",
        "updated_at",
    }


async def _send(client: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await client.request(method, path, json=body)
    assert response.status_code < 300, (method, path, response.text)
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json()


async def test_quickstart_step_one(http: httpx.AsyncClient) -> None:
    """ "Send a POST request to /monitor/domains with the name of the domain, as well as a
    list of the records you want to monitor, including their type, host, value, and ttl"."""
    status, body = await _send(
        http,
        "POST",
        "/monitor/domains",
        {"domain": "customer.example", "dnsRecords": [CNAME, TXT]},
    )
    assert status == 201
    assert set(body) == _domain_keys()
    assert (body["domain"], body["status"], body["state"]) == (
        "customer.example",
        "active",
        "pending",
    )
    assert body["dnsRecords"] == [CNAME, TXT]
    assert body["records_propagated"] == body["records_non_propagated"] == []


async def test_manage_dns_records(http: httpx.AsyncClient) -> None:
    await _send(http, "POST", "/monitor/domains", {"domain": "shop.example", "dnsRecords": [CNAME]})
    # Retrieve DNS Records
    _, listed = await _send(http, "GET", "/monitor/domains/shop.example/records")
    assert listed == {"domain": "shop.example", "dnsRecords": [CNAME]}
    # Create DNS Records ("Add new DNS records to be monitored on an existing domain")
    status, added = await _send(
        http, "POST", "/monitor/domains/shop.example/records", {"dnsRecords": [TXT, MX]}
    )
    assert status == 201 and added["dnsRecords"] == [CNAME, TXT, MX]
    # Update DNS Records: the list given becomes the domain's records.
    _, updated = await _send(
        http, "PUT", "/monitor/domains/shop.example/records", {"dnsRecords": [TXT, MX]}
    )
    assert updated["dnsRecords"] == [TXT, MX]
    # Delete DNS Records: matched by type, host and value; the rest stay.
    _, left = await _send(
        http, "DELETE", "/monitor/domains/shop.example/records", {"dnsRecords": [TXT]}
    )
    assert left == {"domain": "shop.example", "dnsRecords": [MX]}


async def test_global_domain_management(http: httpx.AsyncClient, runtime: Runtime) -> None:
    assert isinstance(runtime.clock, FrozenClock)
    for name in ("a.example", "b.example", "c.example"):
        runtime.clock.advance(1)  # listed oldest first
        await _send(http, "POST", "/monitor/domains", {"domain": name, "dnsRecords": [CNAME]})
    # List All Domains, with offset, limit, from_date and to_date
    _, page = await _send(http, "GET", "/monitor/domains?offset=1&limit=1")
    assert (page["total"], page["offset"], page["limit"]) == (3, 1, 1)
    assert [d["domain"] for d in page["domains"]] == ["b.example"]
    today = runtime.clock.now().date().isoformat()
    _, dated = await _send(http, "GET", f"/monitor/domains?from_date={today}&to_date={today}")
    assert dated["total"] == 3
    _, later = await _send(http, "GET", "/monitor/domains?from_date=2099-01-01")
    assert later == {"domains": [], "total": 0, "offset": 0, "limit": 25}
    # Retrieve Domain Details
    _, one = await _send(http, "GET", "/monitor/domains/a.example")
    assert set(one) == _domain_keys() and one["dnsRecords"] == [CNAME]
    # Add a Domain
    status, added = await _send(
        http,
        "POST",
        "/monitor/domains",
        {"domain": "d.example", "dnsRecords": [MX], "user_id": "customer-42"},
    )
    assert status == 201 and added["user_id"] == "customer-42"
    # Update Domain: named in the body
    _, changed = await _send(
        http, "PUT", "/monitor/domains", {"domain": "d.example", "dnsRecords": [TXT]}
    )
    assert changed["dnsRecords"] == [TXT] and changed["user_id"] == "customer-42"
    # Delete a Domain: named in the body
    _, gone = await _send(http, "DELETE", "/monitor/domains", {"domain": "d.example"})
    assert gone == {"domain": "d.example", "deleted": True}
    missing = await http.get("/monitor/domains/d.example")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Domain not found", "code": "not_found", "errors": []}


async def test_batch_operations(http: httpx.AsyncClient, runtime: Runtime) -> None:
    domains = [{"domain": f"batch{i}.example", "dnsRecords": [CNAME]} for i in range(3)]
    domains.append({"domain": "batch0.example", "dnsRecords": [TXT]})  # a second create
    # Batch Create Domains
    status, accepted = await _send(http, "POST", "/monitor/domains/batch", {"domains": domains})
    assert status == 202
    assert accepted == {"request_id": accepted["request_id"], "status": "pending", "total": 4}
    # Batch Status
    path = f"/monitor/domains/batch/status/{accepted['request_id']}"
    _, pending = await _send(http, "GET", path)
    assert (pending["status"], pending["processed"]) == ("pending", 0)
    await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "test").run_once()
    _, done = await _send(http, "GET", path)
    assert (done["status"], done["total"], done["processed"]) == ("completed", 4, 4)
    assert (done["succeeded"], done["failed"]) == (3, 1)
    assert done["errors"] == [{"domain": "batch0.example", "error": done["errors"][0]["error"]}]
    assert "already" in done["errors"][0]["error"]
    _, listed = await _send(http, "GET", "/monitor/domains")
    assert listed["total"] == 3


async def test_health_and_status(http: httpx.AsyncClient) -> None:
    _, health = await _send(http, "GET", "/monitor/health")
    assert (health["status"], health["database"]) == ("ok", "ok")
    await _send(
        http, "POST", "/monitor/domains", {"domain": "s.example", "dnsRecords": [CNAME, TXT]}
    )
    _, status = await _send(http, "GET", "/monitor/status")
    assert status["domains"] == {
        "total": 1,
        "active": 1,
        "paused": 0,
        "pending": 1,
        "ok": 0,
        "missing": 0,
        "error": 0,
    }
    assert (status["records"], status["check_interval"]) == (2, 3600)
    assert status["last_checked_at"] is None and status["next_check_at"]
