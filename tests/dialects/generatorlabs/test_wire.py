"""003's wire format over the contact endpoints: Basic auth, the IP allowlist, scopes, form
and JSON bodies, boolean spellings, id patterns, error envelopes, paging, rate limits."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.dialects.generatorlabs.conftest import dialect_client
from watchwire.api.dialects.generatorlabs.auth import Kind, budget_identity, windows
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey


def envelope(response: httpx.Response, status: int) -> str:
    """The error's message, after checking 003's envelope and that HTTP status = status_code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    return str(body["status_message"])


async def test_missing_or_wrong_credentials_get_401(app: FastAPI, account: CreatedKey) -> None:
    async with dialect_client(app, None) as anonymous:
        message = envelope(await anonymous.get("/contact/contacts.json"), 401)
        assert message.startswith("Authentication failed")
        wrong = await anonymous.get(
            "/contact/contacts.json", auth=(account.sid, "0" * len(account.secret))
        )
        assert envelope(wrong, 401).startswith("Authentication failed")
        assert "RateLimit-Limit" not in wrong.headers


async def test_ip_allowlist_gets_403(app: FastAPI, runtime: Runtime, account: CreatedKey) -> None:
    key, _ = await runtime.accounts.create_key(account.account_sid, ip_allowlist=["10.1.2.0/24"])
    async with dialect_client(app, key, ip="127.0.0.1") as outside:
        message = envelope(await outside.get("/contact/groups.json"), 403)
        assert message.startswith("IP address restriction")
    async with dialect_client(app, key, ip="10.1.2.7") as inside:
        assert (await inside.get("/contact/groups.json")).status_code == 200


async def test_missing_scope_and_read_only_keys_get_403(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    rbl_only, _ = await runtime.accounts.create_key(account.account_sid, scopes=["rbl"])
    async with dialect_client(app, rbl_only) as client:
        assert "contacts" in envelope(await client.get("/contact/contacts.json"), 403)
    reader, _ = await runtime.accounts.create_key(account.account_sid, read_only=True)
    async with dialect_client(app, reader) as client:
        assert (await client.get("/contact/groups.json")).status_code == 200
        refused = await client.post("/contact/groups.json", data={"name": "x"})
        assert "read-only" in envelope(refused, 403)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("true", True), ("True", True), ("1", True), ("false", False), ("False", False), ("0", False)],
)
async def test_every_boolean_spelling(gl: httpx.AsyncClient, spelling: str, expected: bool) -> None:
    response = await gl.post("/contact/groups.json", data={"name": "ops", "is_default": spelling})
    assert response.json()["data"]["is_default"] is expected


async def test_json_bodies_and_unknown_fields(gl: httpx.AsyncClient) -> None:
    group = (
        await gl.post("/contact/groups.json", json={"name": "ops", "is_default": True, "x": 1})
    ).json()["data"]
    assert group["is_default"] is True
    body = {
        "contact": "https://hooks.example.com/alert",
        "type": "endpoint",
        "contact_group": [group["id"]],
        "unknown": "ignored",
    }
    created = await gl.post("/contact/contacts.json", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["data"]["contact_group"] == [group["id"]]


async def test_new_default_group_replaces_the_old_and_is_used_when_omitted(
    gl: httpx.AsyncClient,
) -> None:
    first = (await gl.post("/contact/groups.json", data={"name": "a", "is_default": "1"})).json()
    second = (await gl.post("/contact/groups.json", data={"name": "b", "is_default": "1"})).json()
    groups = (await gl.get("/contact/groups.json")).json()["groups"]
    defaults = {g["id"]: g["is_default"] for g in groups}
    assert defaults == {first["data"]["id"]: False, second["data"]["id"]: True}
    contact = await gl.post(
        "/contact/contacts.json", data={"contact": "a@b.example", "type": "email"}
    )
    assert contact.json()["data"]["contact_group"] == [second["data"]["id"]]


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"type": "email"}, "contact", "required"),
        ({"contact": "a@example.com"}, "type", "required"),
        ({"contact": "a@example.com", "type": "fax"}, "type", "enum"),
        ({"contact": "a@example.com", "type": "email", "schedule": "often"}, "schedule", "enum"),
        ({"contact": "not an address", "type": "email"}, "contact", "email"),
        (
            {"contact": "a@example.com", "type": "email", "contact_group": "CG1"},
            "contact_group[0]",
            "pattern",
        ),
        (
            {"contact": "a@example.com", "type": "email", "contact_group": "CG" + "0" * 32},
            "contact_group[0]",
            "not_found",
        ),
    ],
)
async def test_validation_answers_400_naming_field_and_rule(
    gl: httpx.AsyncClient, body: dict[str, str], field: str, rule: str
) -> None:
    response = await gl.post("/contact/contacts.json", data=body)
    message = envelope(response, 400)
    assert field in message and rule in message
    assert response.json()["errors"][0] == {
        **response.json()["errors"][0],
        "field": field,
        "rule": rule,
    }


async def test_path_ids_follow_003s_patterns(gl: httpx.AsyncClient) -> None:
    message = envelope(await gl.get("/contact/contacts/CG" + "0" * 32 + ".json"), 400)
    assert "^CO[0-9a-f]{32}$" in message
    assert "^CG[0-9a-f]{32}$" in envelope(await gl.delete("/contact/groups/nope.json"), 400)
    assert envelope(await gl.get("/contact/contacts/CO" + "0" * 32 + ".json"), 404)


async def test_bad_confirmation_and_state_conflicts(
    runtime: Runtime, gl: httpx.AsyncClient
) -> None:
    created = await gl.post(
        "/contact/contacts.json", data={"contact": "a@example.com", "type": "email"}
    )
    sid = created.json()["data"]["id"]
    assert "authcode" in envelope(await gl.post(f"/contact/contacts/{sid}/confirm.json"), 400)
    wrong = await gl.post(f"/contact/contacts/{sid}/confirm.json", data={"authcode": "zzzzzz"})
    assert "authcode" in envelope(wrong, 400)
    assert "pending" in envelope(await gl.post(f"/contact/contacts/{sid}/resume.json"), 409)


async def test_unknown_paths_and_methods_answer_in_the_envelope(gl: httpx.AsyncClient) -> None:
    envelope(await gl.get("/contact/nothing.json"), 404)
    envelope(await gl.patch("/contact/groups.json"), 405)
    assert envelope(
        await gl.post(
            "/contact/groups.json", content=b"{oops", headers={"Content-Type": "application/json"}
        ),
        400,
    )


async def test_paging_walks_every_item_once(gl: httpx.AsyncClient) -> None:
    made = [
        (await gl.post("/contact/groups.json", data={"name": f"g{i}"})).json()["data"]["id"]
        for i in range(7)
    ]
    seen: list[str] = []
    page = 1
    while True:
        body = (await gl.get("/contact/groups.json", params={"page": page, "page_size": 3})).json()
        assert (body["page"], body["page_size"], body["total"], body["total_pages"]) == (
            page,
            3,
            7,
            3,
        )
        seen += [g["id"] for g in body["groups"]]
        if page >= body["total_pages"]:
            break
        page += 1
    assert sorted(seen) == sorted(made) and len(seen) == 7  # every one, none twice
    beyond = (await gl.get("/contact/groups.json", params={"page": 9, "page_size": 3})).json()
    assert beyond["data"] == beyond["groups"] == []
    assert "page_size" in envelope(await gl.get("/contact/groups.json?page_size=0"), 400)
    assert "page" in envelope(await gl.get("/contact/groups.json?page=x"), 400)
    capped = (await gl.get("/contact/groups.json", params={"page_size": 1000})).json()
    assert capped["page_size"] == 100 and capped["total"] == 7


async def test_rate_limit_headers_name_003s_windows(gl: httpx.AsyncClient) -> None:
    read = await gl.get("/contact/groups.json")
    assert read.headers["RateLimit-Limit"] == "1000;w=3600, 100;w=1"
    write = await gl.post("/contact/groups.json", data={"name": "ops"})
    assert write.headers["RateLimit-Limit"] == "1000;w=3600, 50;w=1"
    for response in (read, write):
        assert int(response.headers["RateLimit-Remaining"]) >= 0
        assert int(response.headers["RateLimit-Reset"]) >= 0
    failed = await gl.get("/contact/groups/CG" + "0" * 32 + ".json")
    assert failed.status_code == 404 and "RateLimit-Remaining" in failed.headers


async def test_hourly_budget_spent_answers_429_with_retry_after(
    runtime: Runtime, gl: httpx.AsyncClient, account: CreatedKey
) -> None:
    principal = await runtime.accounts.authenticate(account.sid, account.secret)
    hourly_only = windows(Kind.READ)[:1]
    for _ in range(1000):
        await runtime.limiter.hit(budget_identity(principal), hourly_only)
    response = await gl.get("/contact/groups.json")
    assert "Rate limit exceeded" in envelope(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert response.headers["RateLimit-Remaining"] == "0"
    assert response.headers["RateLimit-Limit"] == "1000;w=3600, 100;w=1"


async def test_per_second_budget_spent_answers_429(
    runtime: Runtime, gl: httpx.AsyncClient, account: CreatedKey
) -> None:
    principal = await runtime.accounts.authenticate(account.sid, account.secret)
    per_second = windows(Kind.WRITE)[1:]
    # A fixed one-second window may roll over between spending it and the request: retry.
    for _ in range(5):
        for _ in range(50):
            await runtime.limiter.hit(budget_identity(principal), per_second)
        response = await gl.post("/contact/groups.json", data={"name": "ops"})
        if response.status_code == 429:
            break
    assert envelope(response, 429).startswith("Rate limit exceeded")
    assert response.headers["Retry-After"] == "1"
