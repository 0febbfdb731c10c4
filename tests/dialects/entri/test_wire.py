"""The dialect's wire rules: one error shape naming the field and the rule, 002's field names
(`dnsRecords`), unknown paths under `/monitor` answered by the dialect, and its paths beside
watchwire's others without taking any of theirs."""

from __future__ import annotations

import httpx
import pytest

from watchwire.services.accounts import CreatedKey

RECORD = {"type": "CNAME", "host": "www", "value": "app.saas.example", "ttl": 3600}


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "code", "errors"}
    [detail] = body["errors"]
    assert body["message"].startswith(f"{detail['field']}")  # the field first
    return dict(detail)


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"dnsRecords": [RECORD]}, "domain", "required"),
        ({"domain": "a.example"}, "dnsRecords", "required"),
        ({"domain": "a.example", "dnsRecords": {}}, "dnsRecords", "list"),
        ({"domain": "a.example", "dnsRecords": []}, "dnsRecords", "min_items"),
        ({"domain": "a.example", "dnsRecords": ["A 1.2.3.4"]}, "dnsRecords[0]", "object"),
        (
            {"domain": "a.example", "dnsRecords": [RECORD, {**RECORD, "host": ""}]},
            "dnsRecords[1].host",
            "required",
        ),
        (
            {
                "domain": "a.example",
                "dnsRecords": [{k: v for k, v in RECORD.items() if k != "ttl"}],
            },
            "dnsRecords[0].ttl",
            "required",
        ),
        (
            {"domain": "a.example", "dnsRecords": [{**RECORD, "ttl": "an hour"}]},
            "dnsRecords[0].ttl",
            "int_parsing",
        ),
        (
            {"domain": "a.example", "dnsRecords": [{**RECORD, "type": "MX", "priority": "x"}]},
            "dnsRecords[0].priority",
            "value_error",
        ),
        ({"domain": "localhost", "dnsRecords": [RECORD]}, "domain", "domain"),
        ({"domain": "a\x00.example", "dnsRecords": [RECORD]}, "domain", "control"),
        ({"domain": ["a.example"], "dnsRecords": [RECORD]}, "domain", "string"),
    ],
)
async def test_bad_domains_name_the_field_and_the_rule(
    entri: httpx.AsyncClient, body: dict[str, object], field: str, rule: str
) -> None:
    detail = _error(await entri.post("/monitor/domains", json=body), 400)
    assert (detail["field"], detail["rule"]) == (field, rule)


async def test_a_second_create_is_a_conflict(entri: httpx.AsyncClient) -> None:
    body = {"domain": "a.example", "dnsRecords": [RECORD]}
    assert (await entri.post("/monitor/domains", json=body)).status_code == 201
    again = await entri.post("/monitor/domains", json=body)
    assert again.status_code == 409
    assert again.json()["code"] == "domain_exists" and again.json()["errors"] == []


async def test_records_and_lists_name_their_fields(entri: httpx.AsyncClient) -> None:
    await entri.post("/monitor/domains", json={"domain": "a.example", "dnsRecords": [RECORD]})
    unknown = await entri.request(
        "DELETE",
        "/monitor/domains/a.example/records",
        json={"dnsRecords": [{**RECORD, "value": "elsewhere.example"}]},
    )
    assert unknown.status_code == 404
    cases = [
        ("/monitor/domains?limit=500", "limit", "maximum"),
        ("/monitor/domains?limit=0", "limit", "minimum"),
        ("/monitor/domains?offset=-1", "offset", "minimum"),
        ("/monitor/domains?offset=1e3", "offset", "integer"),
        ("/monitor/domains?from_date=someday", "from_date", "time"),
    ]
    for path, field, rule in cases:
        detail = _error(await entri.get(path), 400)
        assert (detail["field"], detail["rule"]) == (field, rule), path
    renamed = _error(await entri.put("/monitor/domains", json={"dnsRecords": [RECORD]}), 400)
    assert renamed["field"] == "domain"


async def test_bodies_that_are_not_objects(entri: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    broken = await entri.post("/monitor/domains", content=b"{not json", headers=headers)
    assert _error(broken, 400) == {
        "field": "body",
        "rule": "json",
        "message": "the request body is not valid JSON",
    }
    assert broken.json()["message"] == "body: the request body is not valid JSON"
    listed = await entri.post("/monitor/domains", content=b"[]", headers=headers)
    assert _error(listed, 400)["rule"] == "object"
    huge = await entri.post(
        "/monitor/domains", content=b"{" + b" " * (2 << 20) + b"}", headers=headers
    )
    assert _error(huge, 413) == {
        "field": "body",
        "rule": "max_size",
        "message": "the request body must be at most 1048576 bytes",
    }
    assert huge.json()["code"] == "payload_too_large"


async def test_unknown_paths_and_methods_answer_in_the_dialects_shape(
    entri: httpx.AsyncClient,
) -> None:
    for path in (
        "/monitor",
        "/monitor/",
        "/monitor/nothing",
        "/monitor/domains/a/b/c",
        "/monitor/x%0Ay",
    ):
        response = await entri.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "message": "Not found: no such path in the Entri Monitor API",
            "code": "not_found",
            "errors": [],
        }
    wrong = await entri.get("/token")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "POST"


async def test_the_dialect_takes_no_other_faces_paths(
    entri: httpx.AsyncClient, account: CreatedKey
) -> None:
    native = {"X-API-Key": account.key}
    assert (await entri.get("/v1/domains", headers=native)).json()["data"] == []
    assert (await entri.get("/healthz")).json() == {"status": "ok"}
    gl = await entri.get("/4.0/contact/contacts.json", auth=(account.sid, account.secret))
    assert gl.json()["status_code"] == 200
    # Paths that only begin like the dialect's stay the native app's.
    for path in ("/monitoring", "/tokens", "/token.json"):
        response = await entri.get(path)
        assert response.status_code == 404 and "error" in response.json(), path
