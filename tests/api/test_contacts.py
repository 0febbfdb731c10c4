"""`/v1/contacts` and `/v1/contact-groups` over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from watchwire.runtime import Runtime
from watchwire.store.tables import events
from watchwire.store.tables_contacts import contacts


async def sent_code(runtime: Runtime, contact_sid: str) -> str:
    async with runtime.db.connect() as conn:
        payloads = (
            await conn.execute(
                sa.select(events.c.payload).where(
                    events.c.resource_sid == contact_sid, events.c.type == "contact.confirm"
                )
            )
        ).scalars()
        return str(next(iter(payloads))["authcode"])


async def create(client: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    body = {"type": "email", "contact": "ops@example.com", **body}
    response = await client.post("/v1/contacts", json=body, headers=auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_contact_lifecycle(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await create(client, auth, name="On-call", schedule="every_check")
    sid = created["sid"]
    assert sid.startswith("CO") and len(sid) == 34
    assert {k: created[k] for k in ("type", "contact", "name", "status", "schedule")} == {
        "type": "email",
        "contact": "ops@example.com",
        "name": "On-call",
        "status": "pending",
        "schedule": "every_check",
    }
    code = await sent_code(runtime, sid)
    assert code not in (await client.get(f"/v1/contacts/{sid}", headers=auth)).text

    wrong = await client.post(
        f"/v1/contacts/{sid}/confirm", json={"authcode": "000000"}, headers=auth
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["details"][0]["field"] == "authcode"

    resumed_early = await client.post(f"/v1/contacts/{sid}/resume", headers=auth)
    assert resumed_early.status_code == 409
    assert resumed_early.json()["error"]["code"] == "contact_pending"

    confirmed = await client.post(
        f"/v1/contacts/{sid}/confirm", json={"authcode": code}, headers=auth
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["status"] == "active"
    again = await client.post(f"/v1/contacts/{sid}/resend", headers=auth)
    assert again.status_code == 409

    paused = await client.post(f"/v1/contacts/{sid}/pause", headers=auth)
    assert paused.json()["data"]["status"] == "paused"
    resumed = await client.post(f"/v1/contacts/{sid}/resume", headers=auth)
    assert resumed.json()["data"]["status"] == "active"

    listed = (await client.get("/v1/contacts", headers=auth)).json()
    assert [c["sid"] for c in listed["data"]] == [sid]
    assert listed["meta"]["pagination"]["total"] == 1

    deleted = await client.delete(f"/v1/contacts/{sid}", headers=auth)
    assert deleted.status_code == 200
    assert (await client.get(f"/v1/contacts/{sid}", headers=auth)).status_code == 404


async def test_bad_contacts_get_a_400_naming_the_field(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    cases = [
        ({"type": "aws-cloudwatch", "contact": "m"}, "args.region", "required"),
        ({"type": "fax", "contact": "123"}, "type", "enum"),
        ({"type": "sms", "contact": "+15551234567"}, "type", "unsupported"),
        ({"type": "apprise", "contact": "json://example.com/"}, "type", "unsupported"),
        (
            {"type": "teams", "contact": "https://x.webhook.office.com/webhookb2/a"},
            "contact",
            "url",
        ),
        (
            {"type": "matrix", "contact": "#ops:example.org", "args": {"access_token": "t"}},
            "args.homeserver",
            "required",
        ),
        ({"type": "telegram", "contact": "42"}, "args.bot_token", "required"),
        ({"type": "email", "contact": "a@b.co", "args": {"cc": "x"}}, "args.cc", "unknown_field"),
        (
            {"type": "email", "contact": "a@b.co", "contact_groups": ["CG" + "0" * 32]},
            "contact_groups[0]",
            "not_found",
        ),
        ({"type": "email"}, "contact", "required"),
    ]
    for body, field, rule in cases:
        response = await client.post("/v1/contacts", json=body, headers=auth)
        assert response.status_code == 400, (body, response.text)
        detail = response.json()["error"]["details"][0]
        assert (detail["field"], detail["rule"]) == (field, rule), body


async def test_changing_the_address_asks_for_a_new_confirmation(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    sid = (await create(client, auth))["sid"]
    await client.post(
        f"/v1/contacts/{sid}/confirm",
        json={"authcode": await sent_code(runtime, sid)},
        headers=auth,
    )

    renamed = await client.patch(f"/v1/contacts/{sid}", json={"name": "NOC"}, headers=auth)
    assert renamed.json()["data"]["status"] == "active"
    moved = await client.patch(
        f"/v1/contacts/{sid}", json={"contact": "noc@example.com"}, headers=auth
    )
    assert moved.json()["data"]["status"] == "pending"


async def test_groups_with_one_default(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    first = (
        await client.post(
            "/v1/contact-groups", json={"name": "Primary", "is_default": True}, headers=auth
        )
    ).json()["data"]
    contact = await create(client, auth)
    assert contact["contact_groups"] == [first["sid"]]

    second = await client.post(
        "/v1/contact-groups",
        json={"name": "Escalation", "is_default": True, "contacts": [contact["sid"]]},
        headers=auth,
    )
    assert second.status_code == 201
    assert second.json()["data"]["contacts"] == [contact["sid"]]
    assert (await client.get(f"/v1/contact-groups/{first['sid']}", headers=auth)).json()["data"][
        "is_default"
    ] is False

    renamed = await client.patch(
        f"/v1/contact-groups/{first['sid']}", json={"name": "Day"}, headers=auth
    )
    assert renamed.json()["data"]["name"] == "Day"
    listed = (await client.get("/v1/contact-groups", headers=auth)).json()
    assert listed["meta"]["pagination"]["total"] == 2
    assert (
        await client.delete(f"/v1/contact-groups/{first['sid']}", headers=auth)
    ).status_code == 200
    assert (await client.get(f"/v1/contacts/{contact['sid']}", headers=auth)).json()["data"][
        "contact_groups"
    ] == [second.json()["data"]["sid"]]


async def test_contacts_need_the_contacts_scope(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    key = (await client.post("/v1/keys", json={"scopes": ["check"]}, headers=auth)).json()["data"]
    narrow = {"X-API-Key": key["key"]}
    assert (await client.get("/v1/contacts", headers=narrow)).status_code == 403
    assert (
        await client.post("/v1/contact-groups", json={"name": "x"}, headers=narrow)
    ).status_code == 403
    assert (await client.get("/v1/contacts")).status_code == 401


async def test_credentials_are_shown_masked_and_survive_a_round_trip(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    token = "123456:ABCdefGHIjklMNO"
    created = await create(client, auth, type="telegram", contact="42", args={"bot_token": token})
    sid = created["sid"]
    assert created["args"] == {"bot_token": "****lMNO"}
    assert token not in (await client.get("/v1/contacts", headers=auth)).text
    await client.post(
        f"/v1/contacts/{sid}/confirm",
        json={"authcode": await sent_code(runtime, sid)},
        headers=auth,
    )

    # Sending back what was shown keeps the stored token: nothing moved, still active.
    same = await client.patch(f"/v1/contacts/{sid}", json={"args": created["args"]}, headers=auth)
    assert same.json()["data"]["status"] == "active"
    async with runtime.db.connect() as conn:
        stored = (
            await conn.execute(sa.select(contacts.c.args).where(contacts.c.sid == sid))
        ).scalar()
    assert stored["bot_token"] == token

    rotated = await client.patch(
        f"/v1/contacts/{sid}", json={"args": {"bot_token": "999:NEWtoken"}}, headers=auth
    )
    assert rotated.json()["data"]["status"] == "pending"


async def test_confirmation_code_reaches_only_the_contact(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """The code proves the contact owns its address: it must not reach the account's
    webhooks or its event log, or the account could confirm an address it does not own."""
    hook = await client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/all-events"}, headers=auth
    )
    assert hook.status_code == 201, hook.text
    created = await client.post(
        "/v1/contacts", json={"type": "email", "contact": "someone@example.com"}, headers=auth
    )
    assert created.status_code == 201, created.text
    logged = (
        await client.get("/v1/events", params={"type": "contact.confirm"}, headers=auth)
    ).json()
    assert logged["data"], "the confirmation event is listed"
    assert all("authcode" not in e["payload"] for e in logged["data"])
    targets = (await client.get("/v1/deliveries", headers=auth)).json()["data"]
    assert all(d.get("webhook_id") is None for d in targets if d["event_type"] == "contact.confirm")


async def test_native_types_beyond_003_with_their_credentials_masked(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    ntfy = await create(
        client,
        auth,
        type="ntfy",
        contact="https://ntfy.example.com/alerts",
        args={"token": "tk_0123456789abcdef"},
    )
    assert (ntfy["type"], ntfy["contact"], ntfy["status"]) == (
        "ntfy",
        "https://ntfy.example.com/alerts",
        "pending",
    )
    assert ntfy["args"] == {"token": "****cdef"}
    matrix = await create(
        client,
        auth,
        type="matrix",
        contact="#ops:example.org",
        args={"homeserver": "https://matrix.example.org", "access_token": "syt_secret_1234"},
    )
    assert matrix["args"] == {
        "homeserver": "https://matrix.example.org",
        "access_token": "****1234",
    }
    listed = (await client.get("/v1/contacts", headers=auth)).text
    assert "tk_0123456789abcdef" not in listed and "syt_secret_1234" not in listed
