"""Every curl sample of 000, sent over real HTTP to a running server on loopback (ids
replaced by the ones the server gave), checking status, envelope, codes and shapes.
000's samples cover the v4 webhooks and events; its tool and monitor endpoints have no
sample of their own (test_tools.py, test_monitors.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.dialects.enterno.conftest import data_of, error_of
from tests.servers.generatorlabs_api import served_app
from watchwire.services.accounts import CreatedKey

__all__ = ["served_app"]


@pytest.fixture
async def http(served_app: str, account: CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    """`curl -H "X-API-Key: YOUR_KEY"` against the running server."""
    async with httpx.AsyncClient(
        base_url=served_app, headers={"X-API-Key": account.key}, timeout=10
    ) as client:
        yield client


async def test_every_sample_of_000(http: httpx.AsyncClient) -> None:
    # curl -H "X-API-Key: YOUR_KEY" "https://enterno.io/api/v4/webhooks"
    assert data_of(await http.get("/api/v4/webhooks")) == []

    # curl -X POST ".../api/v4/webhooks" -H "X-Idempotency-Key: create-wh-001"
    #   -H "Content-Type: application/json" -d '{"url": "https://your-app.com/hook"}'
    idempotent = {"X-Idempotency-Key": "create-wh-001", "Content-Type": "application/json"}
    body = b'{"url": "https://your-app.com/hook"}'
    answer = await http.post("/api/v4/webhooks", content=body, headers=idempotent)
    first = data_of(answer, 201)
    replay = await http.post("/api/v4/webhooks", content=body, headers=idempotent)
    # The stored answer as it was (its meta too); the replay's own id is in X-Request-Id.
    assert replay.status_code == 201 and replay.headers["x-idempotent-replayed"] == "true"
    assert replay.content == answer.content

    # curl -X POST ".../api/v4/webhooks" -d '{"url": "https://your-app.com/hooks/enterno",
    #   "name": "Production alerts", "events": ["monitor.down", "monitor.up", "ssl.expiring"]}'
    created = data_of(
        await http.post(
            "/api/v4/webhooks",
            json={
                "url": "https://your-app.com/hooks/enterno",
                "name": "Production alerts",
                "events": ["monitor.down", "monitor.up", "ssl.expiring"],
            },
        ),
        201,
    )
    assert {k: created[k] for k in ("name", "url", "events", "is_active")} == {
        "name": "Production alerts",
        "url": "https://your-app.com/hooks/enterno",
        "events": ["monitor.down", "monitor.up", "ssl.expiring"],
        "is_active": True,
    }
    assert isinstance(created["id"], int) and created["id"] != first["id"]
    assert created["created_at"].endswith("Z") and len(created["created_at"]) == 20
    hook_id = created["id"]

    # curl -X PUT ".../api/v4/webhooks?id=12" -d '{"is_active": false}'
    changed = data_of(await http.put(f"/api/v4/webhooks?id={hook_id}", json={"is_active": False}))
    assert changed["is_active"] is False

    # curl -X POST ".../api/v4/webhooks?action=test&id=12" (the webhook is inactive now)
    error_of(await http.post(f"/api/v4/webhooks?action=test&id={hook_id}"), 409, "conflict")
    data_of(await http.put(f"/api/v4/webhooks?id={hook_id}", json={"is_active": True}))
    tested = data_of(await http.post(f"/api/v4/webhooks?action=test&id={hook_id}"))
    assert tested["webhook_id"] == hook_id and tested["event_type"] == "test"

    # curl ".../api/v4/events?webhook_id=12&status=failed"
    failed = await http.get(f"/api/v4/events?webhook_id={hook_id}&status=failed")
    assert data_of(failed) == []
    assert failed.json()["meta"]["pagination"] == {
        "total": 0,
        "page": 1,
        "per_page": 25,
        "pages": 1,
    }
    [pending] = data_of(await http.get(f"/api/v4/events?webhook_id={hook_id}"))
    assert (pending["webhook_id"], pending["event_type"], pending["status"]) == (
        hook_id,
        "test",
        "pending",
    )

    # curl -X DELETE ".../api/v4/webhooks?id=12"
    assert data_of(await http.delete(f"/api/v4/webhooks?id={hook_id}")) == {
        "id": hook_id,
        "deleted": True,
    }
    assert [w["id"] for w in data_of(await http.get("/api/v4/webhooks"))] == [first["id"]]


async def test_the_error_sample_and_the_rate_limit_headers(http: httpx.AsyncClient) -> None:
    """000's error sample (`not_found`, "Resource not found") and the rate-limit headers
    every response includes."""
    missing = await http.get("/api/v4/webhooks?id=424242")
    assert error_of(missing, 404, "not_found")["message"] == "Resource not found"
    for answer in (missing, await http.get("/api/v4/webhooks")):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
            answer.headers
        )
        assert answer.headers["x-ratelimit-limit"] == "120"  # Business: 120 a minute
