"""/api/v4/webhooks and /api/v4/events: subscriptions by integer id, the plan's webhook
limits and event restrictions, the test event delivered in the enterno format to a real
receiver that checks both of 000's signatures with its own code (written from 000's PHP and
Node verifiers, not watchwire's), and the delivery history with 000's filters and paging."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
from fastapi import FastAPI

from tests.delivery.helpers import worker
from tests.dialects.enterno.conftest import asgi_client, data_of, error_of
from tests.servers.webhook_receiver import Received, Receiver, webhook_receiver
from watchwire.app import create_app
from watchwire.clock import FrozenClock
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.database import Database
from watchwire.store.tables import plans

__all__ = ["webhook_receiver"]

HOOKS = "/api/v4/webhooks"
WEBHOOK_KEYS = {
    "id",
    "name",
    "url",
    "secret",
    "events",
    "is_active",
    "legacy_signature",
    "created_at",
}
EVENT_KEYS = {
    "id",
    "webhook_id",
    "event_type",
    "status",
    "http_status_code",
    "attempts",
    "error",
    "created_at",
    "delivered_at",
    "next_attempt_at",
}


@pytest.fixture
def clock() -> FrozenClock:
    # The receiver checks the timestamp against its own clock: start at the real now.
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def verify_enterno(secret: str, received: Received, *, legacy: bool) -> dict[str, object]:
    """000's verifier: reject a timestamp more than 300 s off, compare
    'sha256=' + HMAC-SHA256(secret, timestamp + "." + body) in constant time; the legacy
    header is the HMAC of the body alone."""
    ts = received.headers["X-Enterno-Timestamp"]
    assert abs(time.time() - int(ts)) <= 300, "stale timestamp"
    expected = (
        "sha256="
        + hmac.new(secret.encode(), ts.encode() + b"." + received.body, hashlib.sha256).hexdigest()
    )
    assert hmac.compare_digest(expected, received.headers["X-Enterno-Signature-V2"])
    if legacy:
        body_only = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(body_only, received.headers["X-Enterno-Signature"])
    else:
        assert "X-Enterno-Signature" not in received.headers
    payload: dict[str, object] = orjson.loads(received.body)
    return payload


async def test_webhook_crud_by_integer_id(enterno: httpx.AsyncClient) -> None:
    body = {"url": "https://your-app.example/hooks/enterno", "name": "Production alerts"}
    body["events"] = ["monitor.down", "monitor.up", "ssl.expiring"]  # type: ignore[assignment]
    created = data_of(await enterno.post(HOOKS, json=body), 201)
    assert set(created) == WEBHOOK_KEYS and isinstance(created["id"], int)
    assert created["events"] == body["events"] and created["is_active"] is True
    assert created["secret"].startswith("whsec_") and not created["secret"].endswith("***")
    hook_id = created["id"]
    [listed] = data_of(await enterno.get(HOOKS))
    assert listed == {**created, "secret": "whsec_***"}
    changed = data_of(await enterno.put(f"{HOOKS}?id={hook_id}", json={"is_active": False}))
    assert changed["is_active"] is False and changed["id"] == hook_id
    error_of(await enterno.post(f"{HOOKS}?action=test&id={hook_id}"), 409, "conflict")
    rotated = data_of(
        await enterno.put(HOOKS, params={"id": hook_id}, json={"secret": "my-own-secret-1234"})
    )
    assert rotated["secret"] == "my-own-secret-1234"
    gone = data_of(await enterno.delete(f"{HOOKS}?id={hook_id}"))
    assert gone == {"id": hook_id, "deleted": True}
    error_of(await enterno.get(f"{HOOKS}?id={hook_id}"), 404, "not_found")
    error_of(await enterno.delete(f"{HOOKS}?id={hook_id}"), 404, "not_found")
    error_of(await enterno.put(HOOKS, json={"is_active": True}), 400, "missing_parameter")
    error_of(await enterno.put(f"{HOOKS}?id=twelve", json={}), 400, "missing_parameter")
    error_of(await enterno.post(HOOKS, json={"name": "no url"}), 400, "missing_parameter")
    bad = error_of(
        await enterno.post(
            HOOKS, json={"url": "https://x.example/", "events": ["monitor.exploded"]}
        ),
        400,
        "missing_parameter",
    )
    assert bad["details"][0]["field"] == "events[0]"


async def test_plan_limits_and_event_restrictions(app: FastAPI, runtime: Runtime) -> None:
    """000's Free webhook row (1 webhook; monitor.down, monitor.up, test), on a plan that also
    has the `webhook` scope (000's Free plan has not)."""
    async with runtime.db.transaction() as conn:
        await conn.execute(
            plans.insert().values(
                name="free_hooks",
                title="Free with webhooks",
                requests_per_minute=60,
                requests_per_day=1000,
                scopes=["webhook"],
                max_webhooks=1,
                event_types=["monitor.down", "monitor.up", "test"],
                min_interval_seconds=300,
            )
        )
    free = await runtime.accounts.create_account("free", plan="free_hooks")
    async with asgi_client(app, free) as client:
        refused = await client.post(
            HOOKS, json={"url": "https://a.example/", "events": ["ssl.expiring"]}
        )
        assert error_of(refused, 400, "missing_parameter")["details"][0]["rule"] == "plan"
        data_of(await client.post(HOOKS, json={"url": "https://a.example/"}), 201)
        error_of(
            await client.post(HOOKS, json={"url": "https://b.example/"}),
            403,
            "webhook_limit_reached",
        )


async def test_https_is_required(database: Database, tmp_path: Path, clock: FrozenClock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", secret_key="k")
    strict = Runtime.build(settings, db=database, clock=clock)
    owner = await strict.accounts.create_account("strict", plan="business")
    async with asgi_client(create_app(strict), owner) as client:
        error = error_of(
            await client.post(HOOKS, json={"url": "http://your-app.example/hook"}),
            400,
            "missing_parameter",
        )
        assert error["details"][0]["field"] == "url"


async def test_test_event_signed_delivered_and_logged(
    enterno: httpx.AsyncClient, runtime: Runtime, webhook_receiver: Receiver
) -> None:
    plain = data_of(await enterno.post(HOOKS, json={"url": webhook_receiver.url("/v2")}), 201)
    legacy = data_of(
        await enterno.post(
            HOOKS,
            json={
                "url": webhook_receiver.url("/legacy"),
                "secret": "legacy-secret-0001",
                "legacy_signature": True,
            },
        ),
        201,
    )
    for hook in (plain, legacy):
        sent = data_of(await enterno.post(f"{HOOKS}?action=test&id={hook['id']}"))
        assert sent["webhook_id"] == hook["id"] and sent["event_type"] == "test"
        assert isinstance(sent["delivery_id"], int)
    pending = data_of(await enterno.get("/api/v4/events", params={"status": "pending"}))
    assert {e["webhook_id"] for e in pending} == {plain["id"], legacy["id"]}
    assert await worker(runtime).run_once() == 2

    [v2] = webhook_receiver.requests("/v2")
    payload = verify_enterno(plain["secret"], v2, legacy=False)
    assert payload["event"] == "test"
    [old] = webhook_receiver.requests("/legacy")
    verify_enterno("legacy-secret-0001", old, legacy=True)

    answer = await enterno.get(
        "/api/v4/events", params={"webhook_id": plain["id"], "status": "delivered"}
    )
    [event] = data_of(answer)
    assert set(event) == EVENT_KEYS
    assert (event["webhook_id"], event["event_type"], event["status"]) == (
        plain["id"],
        "test",
        "delivered",
    )
    assert (event["http_status_code"], event["attempts"]) == (200, 1)
    assert event["delivered_at"] is not None and isinstance(event["id"], int)
    assert answer.json()["meta"]["pagination"] == {
        "total": 1,
        "page": 1,
        "per_page": 25,
        "pages": 1,
    }
    paged = await enterno.get("/api/v4/events", params={"per_page": 1, "page": 2})
    assert len(data_of(paged)) == 1
    assert paged.json()["meta"]["pagination"] == {"total": 2, "page": 2, "per_page": 1, "pages": 2}
    assert data_of(await enterno.get("/api/v4/events", params={"event_type": "monitor.down"})) == []
    assert data_of(await enterno.get("/api/v4/events", params={"webhook_id": 987654})) == []
    error_of(
        await enterno.get("/api/v4/events", params={"status": "lost"}), 400, "missing_parameter"
    )
    error_of(
        await enterno.get("/api/v4/events", params={"webhook_id": "x"}), 400, "missing_parameter"
    )
