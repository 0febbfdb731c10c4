"""`/api/recipients` over contacts and webhooks with `type:SID` ids, the legacy
`/api/webhooks`, and status pages under both spellings with ordered `checks[]`."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from watchwire.runtime import Runtime
from watchwire.store.tables_webhooks import webhook_subscriptions


async def test_recipients_list_create_delete_and_checks_naming_them(
    runtime: Runtime, updown: httpx.AsyncClient
) -> None:
    hook = await updown.post(
        "/api/recipients", data={"type": "webhook", "value": "http://127.0.0.1:9/h", "name": "Ops"}
    )
    assert hook.status_code == 201, hook.text
    assert hook.json()["id"].startswith("webhook:WH") and hook.json()["name"] == "Ops"
    mail = await updown.post(
        "/api/recipients",
        data={"type": "email", "value": "tech@example.com", "selected": "false"},
    )
    assert mail.status_code == 201, mail.text
    mail_id = mail.json()["id"]
    assert mail_id.startswith("email:CO") and mail.json()["value"] == "tech@example.com"
    listed = (await updown.get("/api/recipients")).json()
    assert {r["id"] for r in listed} == {hook.json()["id"], mail_id}
    assert {r["type"] for r in listed} == {"webhook", "email"}

    # A check without its own list is told by the default routing: the webhook, not the
    # unselected contact; one naming the contact (by id or bare SID) is told by it alone.
    default = (await updown.post("/api/checks", data={"url": "https://d.example/"})).json()
    assert default["recipients"] == [hook.json()["id"]]
    chosen = await updown.post(
        "/api/checks", data={"url": "https://e.example/", "recipients[]": [mail_id]}
    )
    assert chosen.json()["recipients"] == [mail_id]

    # `selected=true`: added to the checks that name their own recipients too.
    pager = await updown.post(
        "/api/recipients",
        data={"type": "webhook", "value": "http://127.0.0.1:9/p", "selected": "true"},
    )
    assert pager.status_code == 201, pager.text
    pager_id = pager.json()["id"]
    shown = (await updown.get(f"/api/checks/{chosen.json()['token']}")).json()
    assert shown["recipients"] == [mail_id, pager_id]

    missing = await updown.post("/api/recipients", data={"type": "email"})
    assert missing.json() == {"error": "Value is required"}
    assert (await updown.delete(f"/api/recipients/{mail_id}")).json() == {"deleted": True}
    assert (await updown.delete("/api/recipients/slack:nothing")).json() == {
        "error": "Recipient not found"
    }

    # An endpoint disabled after 1,000 failures is gone, as updown removes it.
    async with runtime.db.transaction() as conn:
        await conn.execute(webhook_subscriptions.update().values(disabled_reason="failing"))
    assert (await updown.get("/api/recipients")).json() == []
    assert (await updown.get("/api/webhooks")).json() == []


async def test_legacy_webhooks(updown: httpx.AsyncClient) -> None:
    made = await updown.post("/api/webhooks", json={"url": "http://127.0.0.1:9/legacy"})
    assert made.status_code == 201, made.text
    assert set(made.json()) == {"id", "url"} and made.json()["id"].startswith("WH")
    assert (await updown.get("/api/webhooks")).json() == [made.json()]
    hooks = (await updown.get("/api/recipients")).json()
    assert hooks[0]["id"] == f"webhook:{made.json()['id']}"
    assert (await updown.delete(f"/api/webhooks/{made.json()['id']}")).json() == {"deleted": True}
    assert (await updown.get("/api/webhooks")).json() == []


async def test_status_pages_under_both_spellings(
    runtime: Runtime, updown: httpx.AsyncClient
) -> None:
    first = (await updown.post("/api/checks", data={"url": "https://f.example/"})).json()
    second = (await updown.post("/api/checks", json={"url": "https://g.example/"})).json()
    # A check's own `published` page is not one of the account's status pages.
    await updown.put(f"/api/checks/{first['token']}", data={"published": "true"})
    made = await updown.post(
        "/api/status_pages",
        data={
            "name": "Shop",
            "description": "Our shop",
            "visibility": "protected",
            "access_key": "s3cret-key",
            "checks[]": [second["token"], first["token"]],
        },
    )
    assert made.status_code == 201, made.text
    page = made.json()
    assert set(page) == {
        "token",
        "url",
        "name",
        "description",
        "visibility",
        "access_key",
        "checks",
    }
    assert page["checks"] == [second["token"], first["token"]]
    assert (page["visibility"], page["access_key"]) == ("protected", "s3cret-key")
    assert page["url"] == f"http://watchwire.test/p/{page['token']}"
    listed = (await updown.get("/api/status-pages")).json()
    assert [p["token"] for p in listed] == [page["token"]] and listed[0]["access_key"] is None

    changed = await updown.put(
        f"/api/status-pages/{page['token']}",
        data={"visibility": "public", "checks[]": [first["token"]]},
    )
    assert (changed.json()["visibility"], changed.json()["checks"]) == ("public", [first["token"]])
    bad = await updown.put(f"/api/status_pages/{page['token']}", data={"visibility": "secret"})
    assert bad.json() == {"error": "Visibility must be one of public, protected, private"}
    wrong = await updown.post("/api/status_pages", data={"name": "X", "checks[]": ["MOnope"]})
    assert wrong.status_code == 400 and wrong.json()["error"].startswith("Checks[0]")
    assert (await updown.delete(f"/api/status_pages/{page['token']}")).json() == {"deleted": True}
    gone = await updown.get(f"/api/status_pages/{page['token']}")
    assert (gone.status_code, gone.json()) == (404, {"error": "Not found"})
    async with runtime.db.connect() as conn:
        assert (await conn.execute(sa.text("select count(*) from status_pages"))).scalar() == 1
