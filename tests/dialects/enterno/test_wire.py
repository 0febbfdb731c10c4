"""000's wire rules, each provoked for real: the key in a header, the query or the body;
every error code of 000's table (and GAPS.md's) from the situation it names; the rate-limit
headers on every answer; the idempotency key's replay and its 409 while the first request
runs; unknown paths under /api/v3 and /api/v4 answering in 000's envelope."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from tests.dialects.enterno.conftest import asgi_client, data_of, error_of
from tests.servers.http_servers import Server, http_server
from watchwire.ratelimit import minute_and_day
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["http_server"]

HOOK = {"url": "https://hooks.example.test/enterno"}


async def test_the_key_in_a_header_the_query_a_form_or_a_json_body(
    app: FastAPI, account: CreatedKey
) -> None:
    async with asgi_client(app) as client:
        data_of(await client.get("/api/v4/webhooks", headers={"X-API-Key": account.key}))
        data_of(await client.get("/api/v4/webhooks", params={"api_key": account.key}))
        form = {"api_key": account.key, "action": "status_pages"}
        data_of(await client.post("/api/v3/monitors.php", data=form))
        data_of(await client.post("/api/v3/monitors.php", json=form))


async def test_auth_errors(app: FastAPI, account: CreatedKey) -> None:
    async with asgi_client(app) as client:
        error_of(await client.get("/api/v4/webhooks"), 401, "auth_required")
        error_of(await client.get("/api/v3/dns.php?domain=x.test"), 401, "auth_required")
        wrong = account.sid + "0" * 64
        error_of(
            await client.get("/api/v4/webhooks", headers={"X-API-Key": wrong}),
            401,
            "invalid_api_key",
        )
        error_of(
            await client.post("/api/v4/webhooks", json={"api_key": wrong, **HOOK}),
            401,
            "invalid_api_key",
        )


async def test_scopes_of_the_plan_and_of_the_key(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    free = await runtime.accounts.create_account("free", plan="free")  # check, dns
    async with asgi_client(app, free) as client:
        for path in ("/api/v3/ssl.php?host=localhost", "/api/v3/monitors.php", "/api/v4/events"):
            error = error_of(await client.get(path), 403, "insufficient_scope")
            assert "scope" in error["message"]
    narrow, _ = await runtime.accounts.create_key(account.account_sid, name="dns", scopes=["dns"])
    async with asgi_client(app, narrow) as client:
        error_of(await client.get("/api/v4/webhooks"), 403, "insufficient_scope")
        error_of(await client.get("/api/v3/check.php?url=x"), 403, "insufficient_scope")


async def test_not_found_method_not_allowed_and_missing_parameter(
    enterno: httpx.AsyncClient,
) -> None:
    error_of(await enterno.get("/api/v3/nothing.php"), 404, "not_found")
    error_of(await enterno.get("/api/v4/nothing"), 404, "not_found")
    error_of(await enterno.get("/api/v4/webhooks?id=999999"), 404, "not_found")
    error_of(await enterno.delete("/api/v3/dns.php"), 405, "method_not_allowed")
    error_of(await enterno.patch("/api/v4/webhooks"), 405, "method_not_allowed")
    deleting = await enterno.get("/api/v3/monitors.php?action=delete&id=MO" + "0" * 32)
    error_of(deleting, 405, "method_not_allowed")
    missing = error_of(await enterno.get("/api/v3/dns.php"), 400, "missing_parameter")
    assert missing["details"][0] == {
        "field": "domain",
        "rule": "required",
        "message": "domain is required",
    }
    error = error_of(await enterno.get("/api/v3/check.php"), 400, "invalid_url")
    assert error["message"] == "URL is required"
    error_of(await enterno.get("/api/v3/check.php?url=ftp://x.test/"), 400, "invalid_url")
    error_of(await enterno.get("/api/v4/events?per_page=101"), 400, "missing_parameter")


async def test_minute_budget_headers_and_429(app: FastAPI, runtime: Runtime) -> None:
    free = await runtime.accounts.create_account("free", plan="free")  # 10/min, 100/day
    async with asgi_client(app, free) as client:
        for sent in range(1, 11):
            answer = await client.get("/api/v3/dns.php")  # a 400 still counts
            assert answer.headers["X-RateLimit-Limit"] == "10"
            assert answer.headers["X-RateLimit-Remaining"] == str(10 - sent)
            assert int(answer.headers["X-RateLimit-Reset"]) >= time.time()
            assert "Retry-After" not in answer.headers
        refused = await client.get("/api/v3/dns.php?domain=x.test")
        error_of(refused, 429, "rate_limit_exceeded")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["X-RateLimit-Remaining"] == "0"


async def test_daily_budget_spent(app: FastAPI, runtime: Runtime) -> None:
    """The Free plan's real 100 a day, spent on the account's day window (the minute window
    would take ten minutes to let 100 through), then refused with the day's Retry-After."""
    free = await runtime.accounts.create_account("free", plan="free")
    _minute, day = minute_and_day(10, 100)
    for _ in range(100):
        await runtime.limiter.hit(free.account_sid, [day])
    async with asgi_client(app, free) as client:
        refused = await client.get("/api/v3/dns.php?domain=x.test")
    error = error_of(refused, 429, "daily_limit_exceeded")
    assert error["message"] == "Daily API request limit exceeded"
    assert int(refused.headers["Retry-After"]) > 60


async def test_idempotency_replays_and_conflicts(
    enterno: httpx.AsyncClient, http_server: Server
) -> None:
    headers = {"X-Idempotency-Key": "create-wh-001"}
    first = await enterno.post("/api/v4/webhooks", json=HOOK, headers=headers)
    created = data_of(first, 201)
    again = await enterno.post("/api/v4/webhooks", json=HOOK, headers=headers)
    assert again.status_code == 201 and again.headers["x-idempotent-replayed"] == "true"
    assert again.json()["data"] == created
    listed = data_of(await enterno.get("/api/v4/webhooks"))
    assert [w["id"] for w in listed] == [created["id"]]
    # The same key again while the first request still runs: a check of a slow page.
    slow = {"X-Idempotency-Key": "slow-check"}
    url = http_server.base + "/slow?seconds=0.5"
    first_check = asyncio.create_task(
        enterno.post("/api/v3/check.php", json={"url": url}, headers=slow)
    )
    for _ in range(500):  # until the page is being fetched (at most 5 s)
        if http_server.hits:
            break
        await asyncio.sleep(0.01)
    busy = await enterno.post("/api/v3/check.php", json={"url": url}, headers=slow)
    error = error_of(busy, 409, "conflict")
    assert error["message"] == "Idempotent request already in progress"
    assert data_of(await first_check)["status_code"] == 200
    # The same key for another request is refused too, in the envelope of its version.
    other = await enterno.post(
        "/api/v4/webhooks", json={"url": HOOK["url"] + "/2"}, headers=headers
    )
    error_of(other, 409, "conflict")


async def test_a_request_id_is_echoed_and_every_answer_has_one(
    enterno: httpx.AsyncClient,
) -> None:
    answer = await enterno.get("/api/v4/webhooks", headers={"X-Request-Id": "trace-42"})
    assert answer.headers["x-request-id"] == "trace-42"
    assert answer.json()["meta"]["request_id"] == "trace-42"
    results = await asyncio.gather(*(enterno.get("/api/v4/nowhere") for _ in range(3)))
    assert len({r.headers["x-request-id"] for r in results}) == 3


async def test_idempotency_with_the_key_in_the_body(app: FastAPI, account: CreatedKey) -> None:
    body = {"api_key": account.key, "url": "https://hooks.example.test/body-key"}
    headers = {"X-Idempotency-Key": "body-key-1"}
    async with asgi_client(app) as client:
        first = await client.post("/api/v4/webhooks", json=body, headers=headers)
        again = await client.post("/api/v4/webhooks", json=body, headers=headers)
        assert again.headers["x-idempotent-replayed"] == "true"
        assert again.content == first.content
        listed = await client.get("/api/v4/webhooks", params={"api_key": account.key})
        assert len(data_of(listed)) == 1
        # A body the middleware cannot use as a key still reaches the route whole.
        wrong = {**body, "api_key": "not-a-key"}
        error_of(
            await client.post("/api/v4/webhooks", json=wrong, headers=headers),
            401,
            "invalid_api_key",
        )
