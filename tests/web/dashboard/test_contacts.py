"""Contacts from the dashboard: added (and sent a code), confirmed with it, paused,
resumed, deleted; refused input named."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from watchwire.runtime import Runtime
from watchwire.store.tables_contacts import contacts

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
