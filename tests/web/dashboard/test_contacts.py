"""Contacts from the dashboard: added (and sent a code), confirmed with it, paused,
resumed, deleted; refused input named."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import events
from watchwire.store.tables_contacts import contacts
from watchwire.store.tables_webhooks import deliveries

from .conftest import csrf_of


async def test_an_email_contact_confirmed_with_its_code(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime
) -> None:
    csrf = csrf_of((await owner.get("/contacts")).text)
    bad = await owner.post(
        "/contacts", data={"csrf": csrf, "type": "email", "contact": "not an address"}
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    made = await owner.post(
        "/contacts",
        data={"csrf": csrf, "type": "email", "contact": "oncall@acme.test", "name": "On <call>"},
    )
    assert made.status_code == 303
    page = await owner.get("/contacts")
    [sid] = re.findall(r'id="contact-(CO[0-9a-f]{32})"', page.text)
    assert "On &lt;call&gt;" in page.text and ">pending<" in page.text
    assert "Confirm" not in (await viewer.get("/contacts")).text
    wrong = await owner.post(f"/contacts/{sid}/confirm", data={"csrf": csrf, "authcode": "nope"})
    assert wrong.status_code == 400 and "not the code" in wrong.text
    async with runtime.db.connect() as conn:
        code = (
            await conn.execute(sa.select(contacts.c.confirmation_code).where(contacts.c.sid == sid))
        ).scalar_one()
    right = await owner.post(f"/contacts/{sid}/confirm", data={"csrf": csrf, "authcode": code})
    assert right.status_code == 303
    assert ">active<" in (await owner.get("/contacts")).text
    for action, state in (("pause", ">paused<"), ("resume", ">active<")):
        assert (
            await owner.post(f"/contacts/{sid}/{action}", data={"csrf": csrf})
        ).status_code == 303
        assert state in (await owner.get("/contacts")).text
    assert (await owner.post(f"/contacts/{sid}/delete", data={"csrf": csrf})).status_code == 303
    assert "No contact yet." in (await owner.get("/contacts")).text


async def _active_contact(runtime: Runtime, account: CreatedKey, name: str) -> str:
    made = await runtime.contacts.create_contact(
        account.account_sid, type="email", contact="ops@acme.test", name=name
    )
    async with runtime.db.connect() as conn:
        code = (
            await conn.execute(
                sa.select(contacts.c.confirmation_code).where(contacts.c.sid == made.sid)
            )
        ).scalar_one()
    await runtime.contacts.confirm_contact(account.account_sid, made.sid, code)
    return made.sid


async def test_a_contact_edited_and_sent_a_test(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    sid = await _active_contact(runtime, account, "Ops")
    csrf = csrf_of((await owner.get("/contacts")).text)
    tested = await owner.post(f"/contacts/{sid}/test", data={"csrf": csrf})
    assert tested.status_code == 303
    async with runtime.db.connect() as conn:
        sent = (
            (
                await conn.execute(
                    sa.select(deliveries.c.target_sid)
                    .join(events, events.c.sid == deliveries.c.event_sid)
                    .where(events.c.type == "test")
                )
            )
            .scalars()
            .all()
        )
    assert sent == [sid]
    form = await owner.get(f"/contacts/{sid}/edit")
    assert 'value="ops@acme.test"' in form.text
    bad = await owner.post(
        f"/contacts/{sid}/edit",
        data={"csrf": csrf, "contact": "not an address", "name": "<i>Ops</i>"},
    )
    assert bad.status_code == 400 and 'id="f-contact-error"' in bad.text
    assert "&lt;i&gt;Ops&lt;/i&gt;" in bad.text and "<i>Ops</i>" not in bad.text
    not_json = await owner.post(
        f"/contacts/{sid}/edit", data={"csrf": csrf, "contact": "ops@acme.test", "args": "{"}
    )
    assert not_json.status_code == 400 and 'id="f-args-error"' in not_json.text
    moved = await owner.post(
        f"/contacts/{sid}/edit",
        data={"csrf": csrf, "contact": "oncall@acme.test", "name": "On call"},
    )
    assert moved.status_code == 303
    found = await runtime.contacts.get_contact(account.account_sid, sid)
    assert (found.value, found.name, found.status) == ("oncall@acme.test", "On call", "pending")
    refused = await owner.post(f"/contacts/{sid}/test", data={"csrf": csrf})
    assert refused.status_code == 409 and "only an active contact" in refused.text
    assert (await viewer.get(f"/contacts/{sid}/edit")).status_code == 403


async def test_contact_groups_made_changed_and_deleted(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    ops = await _active_contact(runtime, account, "Ops <team>")
    csrf = csrf_of((await owner.get("/contacts")).text)
    assert (await owner.get("/contact-groups/new")).status_code == 200
    empty = await owner.post("/contact-groups/new", data={"csrf": csrf, "name": " "})
    assert empty.status_code == 400 and 'id="f-name-error"' in empty.text
    made = await owner.post(
        "/contact-groups/new",
        data={"csrf": csrf, "name": "<b>Night</b>", "contacts": [ops], "is_default": "on"},
    )
    assert made.status_code == 303
    page = (await owner.get("/contacts")).text
    [gid] = re.findall(r'id="group-(CG[0-9a-f]{32})"', page)
    assert "&lt;b&gt;Night&lt;/b&gt;" in page and "Ops &lt;team&gt;" in page and ">default<" in page
    edit = (await owner.get(f"/contact-groups/{gid}/edit")).text
    assert f'<option value="{ops}" selected>' in edit
    saved = await owner.post(
        f"/contact-groups/{gid}/edit", data={"csrf": csrf, "name": "Night shift"}
    )
    assert saved.status_code == 303
    group = await runtime.contact_groups.get_group(account.account_sid, gid)
    assert (group.name, group.contacts, group.is_default) == ("Night shift", (), False)
    viewer_page = (await viewer.get("/contacts")).text
    assert "Night shift" in viewer_page and "New contact group" not in viewer_page
    viewer_csrf = csrf_of(viewer_page)
    assert (
        await viewer.post(f"/contact-groups/{gid}/delete", data={"csrf": viewer_csrf})
    ).status_code == 403
    assert (await owner.post(f"/contact-groups/{gid}/delete", data={})).status_code == 403
    gone = await owner.post(f"/contact-groups/{gid}/delete", data={"csrf": csrf})
    assert gone.status_code == 303
    assert "No contact group yet." in (await owner.get("/contacts")).text
