"""Per-minute and per-day budgets from the plan, and every rate-limit header."""

from __future__ import annotations

import time

import httpx

from watchwire.runtime import Runtime
from watchwire.store.tables import plans


async def test_minute_budget_headers_and_429(runtime: Runtime, client: httpx.AsyncClient) -> None:
    free = await runtime.accounts.create_account("free", plan="free")  # 10/min, 100/day
    headers = {"X-API-Key": free.key}
    for sent in range(1, 11):
        response = await client.get("/v1/account", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "10"
        assert response.headers["X-RateLimit-Remaining"] == str(10 - sent)
        assert int(response.headers["X-RateLimit-Reset"]) > time.time()
        assert response.headers["RateLimit-Limit"] == "10;w=60, 100;w=86400"
        assert response.headers["RateLimit-Remaining"] == str(10 - sent)
        assert 0 <= int(response.headers["RateLimit-Reset"]) <= 60
    refused = await client.get("/v1/account", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"


async def test_daily_budget_is_its_own_error(runtime: Runtime, client: httpx.AsyncClient) -> None:
    async with runtime.db.transaction() as conn:
        await conn.execute(
            plans.insert().values(
                name="trial",
                title="Trial",
                requests_per_minute=50,
                requests_per_day=3,
                scopes=["check"],
                max_webhooks=0,
                event_types=None,
                min_interval_seconds=300,
            )
        )
    trial = await runtime.accounts.create_account("trial", plan="trial")
    headers = {"X-API-Key": trial.key}
    for _ in range(3):
        assert (await client.get("/v1/account", headers=headers)).status_code == 200
    refused = await client.get("/v1/account", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "daily_limit_exceeded"
    assert refused.headers["RateLimit-Limit"] == "50;w=60, 3;w=86400"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) > 60  # the day window, not the minute one


async def test_budget_is_per_account_not_per_key(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    free = await runtime.accounts.create_account("free", plan="free")
    second, _ = await runtime.accounts.create_key(free.account_sid, name="second")
    for _ in range(5):
        await client.get("/v1/account", headers={"X-API-Key": free.key})
    response = await client.get("/v1/account", headers={"X-API-Key": second.key})
    assert response.headers["X-RateLimit-Remaining"] == "4"
    usage = response.json()["data"]["usage"]
    assert usage["requests_this_minute"] == 6
    assert usage["requests_today"] == 6


async def test_usage_survives_in_redis_across_processes(runtime: Runtime) -> None:
    """Two limiters on one Redis (two API processes) share the counters."""
    import secrets

    from watchwire.ratelimit import RateLimiter, minute_and_day

    identity = "AC" + secrets.token_hex(16)
    windows = minute_and_day(5, 50)
    first, second = RateLimiter("redis://127.0.0.1:6379/0"), RateLimiter("redis://127.0.0.1:6379/0")
    await first.hit(identity, windows)
    await first.hit(identity, windows)
    state = await second.hit(identity, windows)
    assert state.windows[0].remaining == 2
    assert state.windows[1].remaining == 47
