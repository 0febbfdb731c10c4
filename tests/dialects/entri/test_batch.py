"""`/monitor/domains/batch`: at most 100 domains a request (002) — 100 are accepted and
created in the background, 101 are refused naming the rule — and malformed items are
refused at once, naming the item and its field."""

from __future__ import annotations

import httpx

from watchwire.engine.jobs import JobRunner
from watchwire.runtime import Runtime

RECORD = {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 3600}


def _domains(count: int) -> list[dict[str, object]]:
    return [{"domain": f"b{i}.example", "dnsRecords": [RECORD]} for i in range(count)]


async def test_a_hundred_are_accepted_and_created(
    entri: httpx.AsyncClient, runtime: Runtime
) -> None:
    accepted = await entri.post("/monitor/domains/batch", json={"domains": _domains(100)})
    assert accepted.status_code == 202, accepted.text
    request_id = accepted.json()["request_id"]
    assert accepted.json() == {"request_id": request_id, "status": "pending", "total": 100}
    await JobRunner(runtime.db, runtime.clock, runtime.domains.batch_job, "test").run_once()
    done = (await entri.get(f"/monitor/domains/batch/status/{request_id}")).json()
    assert (done["status"], done["succeeded"], done["failed"], done["errors"]) == (
        "completed",
        100,
        0,
        [],
    )
    listed = (await entri.get("/monitor/domains?limit=100")).json()
    assert listed["total"] == 100
    assert listed["domains"][0]["dnsRecords"] == [RECORD]


async def test_a_hundred_and_one_are_refused(entri: httpx.AsyncClient) -> None:
    refused = await entri.post("/monitor/domains/batch", json={"domains": _domains(101)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "field": "domains",
            "rule": "max_items",
            "message": "domains: at most 100 per request",
        }
    ]
    assert (await entri.get("/monitor/domains")).json()["total"] == 0


async def test_malformed_items_are_named(entri: httpx.AsyncClient) -> None:
    cases = [
        ({}, "domains", "required"),
        ({"domains": "a.example"}, "domains", "list"),
        ({"domains": []}, "domains", "required"),
        ({"domains": ["a.example"]}, "domains[0]", "object"),
        ({"domains": [*_domains(2), {"dnsRecords": [RECORD]}]}, "domains[2].domain", "required"),
        (
            {"domains": [{"domain": "a.example", "dnsRecords": [{**RECORD, "ttl": None}]}]},
            "domains[0].dnsRecords[0].ttl",
            "required",
        ),
        (
            {"domains": [{"domain": "a.example", "dnsRecords": [{**RECORD, "type": "LOC"}]}]},
            "domains[0].dnsRecords[0].type",
            "literal_error",
        ),
    ]
    for body, field, rule in cases:
        response = await entri.post("/monitor/domains/batch", json=body)
        assert response.status_code == 400, (body, response.text)
        [error] = response.json()["errors"]
        assert (error["field"], error["rule"]) == (field, rule), response.text


async def test_unknown_and_malformed_request_ids(entri: httpx.AsyncClient) -> None:
    unknown = await entri.get("/monitor/domains/batch/status/BR" + "0" * 32)
    assert unknown.status_code == 404 and unknown.json()["message"] == "Batch request not found"
    malformed = await entri.get("/monitor/domains/batch/status/42")
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["field"] == "request_id"
