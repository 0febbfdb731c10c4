"""Events, deliveries with redelivery, API keys and users, over the real app."""

from __future__ import annotations

import re

import httpx

from tests.delivery.helpers import emit, worker
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from watchwire.clock import FrozenClock
from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_webhooks import deliveries

from .conftest import csrf_of

__all__ = ["webhook_receiver"]


async def test_events_and_a_redelivery_to_a_local_receiver(
    owner: httpx.AsyncClient,
    runtime: Runtime,
    account: CreatedKey,
    webhook_receiver: Receiver,
    clock: FrozenClock,
) -> None:
    webhook_receiver.behave("/hook", status=500, body="<b>boom</b>")
    plan = (await runtime.accounts.get_account(account.account_sid)).plan
    await runtime.subscriptions.create(account.account_sid, plan, url=webhook_receiver.url("/hook"))
    await emit(runtime, account.account_sid, "monitor.down")
    await worker(runtime).run_once()
    events = await owner.get("/events?type=monitor.down")
    assert events.status_code == 200 and "<code>monitor.down</code>" in events.text
    assert "No event of this type" in (await owner.get("/events?type=monitor.up")).text
    log = await owner.get("/deliveries")
    [sid] = re.findall(r'id="delivery-(DL[0-9a-f]{32})"', log.text)
    assert "retrying" in log.text and "Redeliver" not in log.text  # not finished: no button
    detail = await owner.get(f"/deliveries/{sid}")
    assert "&lt;b&gt;boom&lt;/b&gt;" in detail.text and "<b>boom" not in detail.text
    # Once it is finished (here: given up), it can go again.
    async with runtime.db.transaction() as conn:
        await conn.execute(
            deliveries.update().where(deliveries.c.sid == sid).values(status="failed")
        )
    webhook_receiver.behave("/hook", status=200, body="ok")
    log = await owner.get("/deliveries?status=failed")
    assert "Redeliver" in log.text
    again = await owner.post(f"/deliveries/{sid}/redeliver", data={"csrf": csrf_of(log.text)})
    assert again.status_code == 303 and "redelivered=DL" in again.headers["location"]
    clock.advance(1)
    before = len(webhook_receiver.requests("/hook"))
    await worker(runtime).run_once()
    assert len(webhook_receiver.requests("/hook")) == before + 1
    shown = await owner.get(again.headers["location"])
    assert "Queued again as DL" in shown.text and "delivered" in shown.text


async def test_api_keys_created_with_their_limits_and_revoked(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    page = await owner.get("/keys")
    made = await owner.post(
        "/keys",
        data={
            "csrf": csrf_of(page.text),
            "name": "CI <deploy>",
            "scopes": ["monitors", "check"],
            "read_only": "on",
            "ip_allowlist": "127.0.0.1, 10.0.0.0/8",
        },
    )
    assert made.status_code == 201
    key = re.search(r'<code id="new-key">(AK[0-9a-f]+)</code>', made.text)
    assert key is not None and "CI &lt;deploy&gt;" in made.text
    answer = await client.get("/v1/monitors", headers={"X-API-Key": key.group(1)})
    assert answer.status_code == 200
    write = await client.post("/v1/monitors", json={}, headers={"X-API-Key": key.group(1)})
    assert write.status_code == 403  # read-only
    bad = await owner.post("/keys", data={"csrf": csrf_of(page.text), "ip_allowlist": "nope"})
    assert bad.status_code == 400 and "is not an IP address or CIDR" in bad.text
    viewed = await viewer.get("/keys")
    assert "Revoke" not in viewed.text and "New key" not in viewed.text
    sid = key.group(1)[:34]
    revoked = await owner.post(f"/keys/{sid}/revoke", data={"csrf": csrf_of(page.text)})
    assert revoked.status_code == 303
    assert (
        await client.get("/v1/monitors", headers={"X-API-Key": key.group(1)})
    ).status_code == 401


async def test_owners_add_users_and_keep_one_owner(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    page = await owner.get("/users")
    csrf = csrf_of(page.text)
    made = await owner.post(
        "/users", data={"csrf": csrf, "email": "new@acme.test", "role": "editor"}
    )
    assert made.status_code == 201
    password = re.search(r'<code id="new-password">([^<]+)</code>', made.text)
    assert password is not None
    assert (await runtime.users.sign_in("new@acme.test", password.group(1))).user.role == "editor"
    again = await owner.post(
        "/users", data={"csrf": csrf, "email": "NEW@acme.test", "role": "viewer"}
    )
    assert again.status_code == 400 and "exists" in again.text
    [me] = [u for u in await runtime.users.list_users(account.account_sid) if u.role == "owner"]
    last = await owner.post(f"/users/{me.sid}/role", data={"csrf": csrf, "role": "viewer"})
    assert last.status_code == 409 and "last owner" in last.text


async def test_webhooks_added_tested_and_deleted(
    owner: httpx.AsyncClient,
    viewer: httpx.AsyncClient,
    runtime: Runtime,
    account: CreatedKey,
    webhook_receiver: Receiver,
) -> None:
    page = await owner.get("/webhooks")
    csrf = csrf_of(page.text)
    bad = await owner.post("/webhooks", data={"csrf": csrf, "url": "not a url"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    made = await owner.post(
        "/webhooks",
        data={
            "csrf": csrf,
            "url": webhook_receiver.url("/hook"),
            "name": "<i>bot</i>",
            "events": ["monitor.down", "monitor.up"],
        },
    )
    assert made.status_code == 201 and "whsec_" in made.text and "&lt;i&gt;bot" in made.text
    [hook] = (await runtime.subscriptions.list_page(account.account_sid, PageRequest(1, 10))).items
    assert hook.events == ("monitor.down", "monitor.up")
    assert "Send a test" not in (await viewer.get("/webhooks")).text
    tested = await owner.post(f"/webhooks/{hook.sid}/test", data={"csrf": csrf})
    assert tested.status_code == 303
    await worker(runtime).run_once()
    assert len(webhook_receiver.requests("/hook")) == 1
    gone = await owner.post(f"/webhooks/{hook.sid}/delete", data={"csrf": csrf})
    assert gone.status_code == 303
    assert "No webhook yet." in (await owner.get("/webhooks")).text


async def test_certificates_domains_and_blocklist_hosts_are_listed(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    mine = account.account_sid
    await runtime.certs.create_monitor(
        mine, {"name": "Shop <TLS>", "hostname": "localhost", "protocol": "https", "port": 9}
    )
    await runtime.domains.create(
        mine,
        {
            "domain": "shop.test",
            "dnsRecords": [{"type": "TXT", "host": "@", "value": "<v=spf1 -all>", "ttl": 300}],
        },
    )
    await runtime.rbl.create_hosts(mine, {"host": "127.0.0.2", "name": "mail <out>"})
    page = await owner.get("/watches")
    assert page.status_code == 200
    for shown in ("Shop &lt;TLS&gt;", "shop.test", "127.0.0.2", "mail &lt;out&gt;"):
        assert shown in page.text, shown
    assert "<TLS>" not in page.text and "<out>" not in page.text
    assert "Certificate monitors (1 of 1)" in page.text
    assert "Blocklist hosts (1 of 1, 0 listed)" in page.text
