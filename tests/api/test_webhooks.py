"""`/v1/webhooks`: subscriptions, plan limits, URL rules, the test event, secret rotation."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks import Webhook

from tests.delivery.helpers import worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.errors import ValidationError
from watchwire.runtime import Runtime
from watchwire.services.subscriptions import SubscriptionService
from watchwire.target_policy import TargetPolicy

__all__ = ["webhook_receiver"]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


async def create(client: httpx.AsyncClient, auth: dict[str, str], **body: object) -> httpx.Response:
    body.setdefault("url", "http://127.0.0.1:9/hook")
    return await client.post("/v1/webhooks", json=body, headers=auth)


async def test_create_shows_the_secret_once_then_masked(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await create(client, auth, name="Production alerts", events=["monitor.down"])
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["id"].startswith("WH") and data["secret"].startswith("whsec_")
    assert len(data["secret"]) > 40
    assert data["events"] == ["monitor.down"] and data["is_active"] is True
    assert data["format"] == "standard"
    again = (await client.get(f"/v1/webhooks/{data['id']}", headers=auth)).json()["data"]
    assert again["secret"] == "whsec_***"
    listed = (await client.get("/v1/webhooks", headers=auth)).json()
    assert [w["id"] for w in listed["data"]] == [data["id"]]
    assert listed["meta"]["pagination"]["total"] == 1


async def test_bad_input_names_the_field(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    cases = [
        ({"events": ["monitor.nope"]}, "events[0]"),
        ({"format": "xml"}, "format"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"secret": "short"}, "secret"),
        ({"url": "http://169.254.169.254/latest"}, "url"),
    ]
    for body, field in cases:
        response = await create(client, auth, **body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field


async def test_https_is_required_unless_plain_http_is_allowed(runtime: Runtime) -> None:
    strict = SubscriptionService(runtime.db, runtime.clock, TargetPolicy(), allow_http=False)
    plan = await runtime.accounts.plan("business")
    account = await runtime.accounts.create_account("strict")
    with pytest.raises(ValidationError, match="https"):
        await strict.create(account.account_sid, plan, url="http://hooks.example.com/x")
    with pytest.raises(ValidationError, match="loopback"):
        await strict.create(account.account_sid, plan, url="https://127.0.0.1/x")
    created = await strict.create(account.account_sid, plan, url="https://hooks.example.com/x")
    assert created.url == "https://hooks.example.com/x"


async def test_plan_limits_count_and_event_types(runtime: Runtime) -> None:
    service = runtime.subscriptions
    starter = await runtime.accounts.create_account("small", plan="starter")
    plan = await runtime.accounts.plan("starter")
    for _ in range(plan.max_webhooks):
        await service.create(starter.account_sid, plan, url="http://127.0.0.1:9/x")
    with pytest.raises(Exception, match="allows 5 webhook") as caught:
        await service.create(starter.account_sid, plan, url="http://127.0.0.1:9/x")
    assert getattr(caught.value, "status", None) == 403
    free = await runtime.accounts.plan("free")
    tiny = await runtime.accounts.create_account("tiny", plan="free")
    with pytest.raises(ValidationError, match="free plan does not include"):
        await service.create(
            tiny.account_sid, free, url="http://127.0.0.1:9/x", events=["ssl.expired"]
        )


async def test_update_and_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth)).json()["data"]["id"]
    response = await client.patch(
        f"/v1/webhooks/{sid}", json={"is_active": False, "format": "updown"}, headers=auth
    )
    assert response.status_code == 200
    assert response.json()["data"]["is_active"] is False
    assert response.json()["data"]["format"] == "updown"
    assert (await client.put(f"/v1/webhooks/{sid}", json={"name": "n"}, headers=auth)).json()[
        "data"
    ]["name"] == "n"
    conflict = await client.post(f"/v1/webhooks/{sid}/test", headers=auth)
    assert conflict.status_code == 409
    assert (await client.delete(f"/v1/webhooks/{sid}", headers=auth)).json()["data"]["deleted"]
    assert (await client.get(f"/v1/webhooks/{sid}", headers=auth)).status_code == 404


async def test_the_test_event_reaches_only_that_subscription_signed(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str], webhook_receiver: Receiver
) -> None:
    tested = (await create(client, auth, url=webhook_receiver.url("/a"))).json()["data"]
    await create(client, auth, url=webhook_receiver.url("/b"))
    response = await client.post(f"/v1/webhooks/{tested['id']}/test", headers=auth)
    assert response.status_code == 202
    sent = response.json()["data"]
    assert sent["event"]["type"] == "test" and sent["delivery_id"].startswith("DL")
    await worker(runtime).run_once()
    [request] = webhook_receiver.requests()
    assert request.path == "/a"
    payload = Webhook(tested["secret"]).verify(request.body, dict(request.headers))
    assert payload["type"] == "test" and payload["id"] == sent["event"]["sid"]


async def test_a_rotated_secret_signs_alongside_the_old_one_for_24_hours(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    webhook_receiver: Receiver,
    clock: FrozenClock,
) -> None:
    old = (await create(client, auth, url=webhook_receiver.url())).json()["data"]
    rotated = await client.post(f"/v1/webhooks/{old['id']}/rotate-secret", headers=auth)
    assert rotated.status_code == 200
    new_secret = rotated.json()["data"]["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old["secret"]
    await client.post(f"/v1/webhooks/{old['id']}/test", headers=auth)
    await worker(runtime).run_once()
    request = webhook_receiver.requests()[-1]
    for secret in (old["secret"], new_secret):
        Webhook(secret).verify(request.body, dict(request.headers))

    clock.advance(24 * 3600 + 1)
    await client.post(f"/v1/webhooks/{old['id']}/test", headers=auth)
    await worker(runtime).run_once()
    request = webhook_receiver.requests()[-1]
    assert len(request.headers["webhook-signature"].split()) == 1
    from watchwire import webhooks

    webhooks.verify(new_secret, request.headers, request.body, now=clock.now().timestamp())
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.verify(old["secret"], request.headers, request.body, now=clock.now().timestamp())


async def test_the_webhook_scope_is_required(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    key = (await client.post("/v1/keys", json={"scopes": ["check"]}, headers=auth)).json()["data"]
    response = await client.get("/v1/webhooks", headers={"X-API-Key": key["key"]})
    assert response.status_code == 403
