"""`/v1/deliveries`: the delivery log with 000's filters, one delivery's attempts, redelivery."""

from __future__ import annotations

import httpx

from tests.delivery.helpers import emit, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["webhook_receiver"]


async def hook(client: httpx.AsyncClient, auth: dict[str, str], url: str) -> str:
    response = await client.post("/v1/webhooks", json={"url": url}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def test_log_filters_pagination_attempts_and_redelivery(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    webhook_receiver: Receiver,
    clock: FrozenClock,
) -> None:
    webhook_receiver.behave("/down", status=500, body="boom")
    good = await hook(client, auth, webhook_receiver.url("/ok"))
    bad = await hook(client, auth, webhook_receiver.url("/down"))
    for _ in range(3):
        await emit(runtime, account.account_sid, "monitor.down")
    await emit(runtime, account.account_sid, "monitor.up")
    await worker(runtime).run_once()

    async def log(**params: object) -> dict[str, object]:
        response = await client.get("/v1/deliveries", params=params, headers=auth)
        assert response.status_code == 200, response.text
        return dict(response.json())

    everything = await log()
    assert everything["meta"]["pagination"] == {"total": 8, "page": 1, "per_page": 25, "pages": 1}  # type: ignore[index]
    delivered = await log(webhook_id=good, status="delivered")
    assert len(delivered["data"]) == 4  # type: ignore[arg-type]
    retrying = (await log(webhook_id=bad, status="retrying", event_type="monitor.up"))["data"]
    [entry] = retrying  # type: ignore[misc]
    assert entry["http_status_code"] == 500 and entry["attempts"] == 1
    assert entry["event_type"] == "monitor.up" and entry["webhook_id"] == bad
    paged = await log(per_page=3, page=3)
    assert len(paged["data"]) == 2  # type: ignore[arg-type]
    assert paged["meta"]["pagination"]["pages"] == 3  # type: ignore[index]
    bad_page = await client.get("/v1/deliveries", params={"per_page": 101}, headers=auth)
    assert bad_page.status_code == 400
    bad_status = await client.get("/v1/deliveries", params={"status": "lost"}, headers=auth)
    assert bad_status.status_code == 400

    detail = (await client.get(f"/v1/deliveries/{entry['id']}", headers=auth)).json()["data"]
    [attempt] = detail["attempt_log"]
    assert attempt["status_code"] == 500 and attempt["response_excerpt"] == "boom"
    assert attempt["duration_ms"] >= 0

    still_open = await client.post(f"/v1/deliveries/{entry['id']}/redeliver", headers=auth)
    assert still_open.status_code == 409
    done = delivered["data"][0]  # type: ignore[index]
    again = await client.post(f"/v1/deliveries/{done['id']}/redeliver", headers=auth)
    assert again.status_code == 202
    queued = again.json()["data"]
    assert queued["status"] == "pending" and queued["event_id"] == done["event_id"]
    before = len(webhook_receiver.requests("/ok"))
    clock.advance(1)
    await worker(runtime).run_once()
    assert len(webhook_receiver.requests("/ok")) == before + 1
    assert webhook_receiver.requests("/ok")[-1].headers["webhook-id"] == done["event_id"]
