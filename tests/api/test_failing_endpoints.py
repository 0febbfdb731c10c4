"""A webhook or contact whose deliveries keep failing shows up as `failing` while its
deliveries are still `retrying` (so `deliveries?status=failed` is empty): a real receiver
that answers 500, the real delivery worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.delivery.helpers import add_contact, emit, subscribe, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock, isoformat
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["webhook_receiver"]


async def _sids(
    client: httpx.AsyncClient, path: str, auth: dict[str, str], **query: str
) -> list[str]:
    answer = await client.get(path, params=query, headers=auth)
    assert answer.status_code == 200, answer.text
    return [item["sid"] for item in answer.json()["data"]]


async def test_a_failing_webhook_is_visible_before_any_delivery_fails_for_good(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    webhook_receiver: Receiver,
    clock: FrozenClock,
) -> None:
    webhook_receiver.behave("/broken", status=500)
    broken = await subscribe(runtime, account.account_sid, webhook_receiver.url("/broken"))
    fine = await subscribe(runtime, account.account_sid, webhook_receiver.url("/fine"))
    began = clock.now()
    for _ in range(3):
        await emit(runtime, account.account_sid)
    delivery = worker(runtime, warn_after=())
    await delivery.run_once()

    failed = await client.get("/v1/deliveries", params={"status": "failed"}, headers=auth)
    assert failed.json()["data"] == []  # everything is still retrying …
    assert await _sids(client, "/v1/webhooks", auth, state="failing") == [broken.sid]  # … but
    shown = (await client.get(f"/v1/webhooks/{broken.sid}", headers=auth)).json()["data"]
    assert shown["failing"]["consecutive_failures"] == 3
    assert shown["failing"]["since"] == isoformat(began)
    assert "500" in shown["failing"]["last_error"]
    assert (await client.get(f"/v1/webhooks/{fine.sid}", headers=auth)).json()["data"][
        "failing"
    ] is None
    assert set(await _sids(client, "/v1/webhooks", auth, state="active")) == {broken.sid, fine.sid}
    assert await _sids(client, "/v1/webhooks", auth, state="disabled") == []
    summary = (await client.get("/v1/deliveries/summary", headers=auth)).json()["data"]
    assert summary["by_status"]["retrying"] == 3 and summary["by_status"]["failed"] == 0
    assert summary["by_status"]["delivered"] == 3  # the fine endpoint's
    [endpoint] = summary["failing"]
    assert (endpoint["type"], endpoint["sid"], endpoint["active"]) == ("webhook", broken.sid, True)
    assert endpoint["failing"] == shown["failing"]

    # Two days on, still failing: the run keeps its start.
    clock.advance(2 * 86400)
    await delivery.run_once()
    shown = (await client.get(f"/v1/webhooks/{broken.sid}", headers=auth)).json()["data"]
    assert shown["failing"]["consecutive_failures"] == 6
    assert shown["failing"]["since"] == isoformat(began)

    # The receiver is fixed: the next delivered attempt ends the run.
    webhook_receiver.behave("/broken", status=200)
    clock.advance(2 * 86400)
    await delivery.run_once()
    assert await _sids(client, "/v1/webhooks", auth, state="failing") == []
    shown = (await client.get(f"/v1/webhooks/{broken.sid}", headers=auth)).json()["data"]
    assert shown["failing"] is None and shown["consecutive_failures"] == 0


async def test_a_failing_contact_is_counted_and_listed(
    runtime: Runtime,
    account: CreatedKey,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    webhook_receiver: Receiver,
    clock: FrozenClock,
) -> None:
    webhook_receiver.behave("/contact", status=500)
    url = webhook_receiver.url("/contact")
    broken, group = await add_contact(
        runtime, account.account_sid, type="endpoint", args={"contact": url, "url": url}
    )
    paused, _ = await add_contact(
        runtime,
        account.account_sid,
        type="endpoint",
        args={"contact": url, "url": url},
        status="paused",
        group=group,
    )
    await emit(runtime, account.account_sid, groups=[group])
    await emit(runtime, account.account_sid, groups=[group])
    await worker(runtime).run_once()

    assert await _sids(client, "/v1/contacts", auth, state="failing") == [broken]
    shown = (await client.get(f"/v1/contacts/{broken}", headers=auth)).json()["data"]
    assert shown["failing"]["consecutive_failures"] == 2
    assert shown["failing"]["since"] == isoformat(clock.now())
    # A paused contact's deliveries are refused without trying its channel: not its failure.
    assert (await client.get(f"/v1/contacts/{paused}", headers=auth)).json()["data"][
        "failing"
    ] is None
    summary = (await client.get("/v1/deliveries/summary", headers=auth)).json()["data"]
    assert [(e["type"], e["sid"]) for e in summary["failing"]] == [("contact", broken)]


@pytest.mark.parametrize("path", ["/v1/webhooks", "/v1/contacts"])
async def test_an_unknown_state_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str], path: str
) -> None:
    answer = await client.get(path, params={"state": "broken"}, headers=auth)
    assert answer.status_code == 400
    assert "state" in answer.text
