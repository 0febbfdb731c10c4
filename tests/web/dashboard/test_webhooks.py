"""A webhook subscription edited from the dashboard (errors next to their field, hostile
names escaped, enabled again), its secret rotated (shown once); viewers refused."""

from __future__ import annotations

import httpx

from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

from .conftest import csrf_of


async def test_a_webhook_edited_and_its_secret_rotated(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    mine = account.account_sid
    plan = (await runtime.accounts.get_account(mine)).plan
    made = await runtime.subscriptions.create(
        mine, plan, url="http://127.0.0.1:9/hook", name="bot", events=None, format="standard"
    )
    await runtime.subscriptions.update(mine, made.sid, plan, {"is_active": False})
    csrf = csrf_of((await owner.get("/webhooks")).text)
    form = await owner.get(f"/webhooks/{made.sid}/edit")
    assert form.status_code == 200 and 'value="http://127.0.0.1:9/hook"' in form.text
    bad = await owner.post(
        f"/webhooks/{made.sid}/edit",
        data={"csrf": csrf, "url": "ftp://nowhere", "name": "<b>x</b>", "format": "standard"},
    )
    assert bad.status_code == 400 and 'id="f-url-error"' in bad.text
    assert "&lt;b&gt;x&lt;/b&gt;" in bad.text and "<b>x</b>" not in bad.text
    saved = await owner.post(
        f"/webhooks/{made.sid}/edit",
        data={
            "csrf": csrf,
            "url": "http://127.0.0.1:9/other",
            "name": "<b>bot</b>",
            "format": "standard",
            "events": ["monitor.down"],
            "is_active": "on",
        },
    )
    assert saved.status_code == 303
    [hook] = (await runtime.subscriptions.list_page(mine, PageRequest(1, 10))).items
    assert (hook.url, hook.name, hook.events, hook.is_active) == (
        "http://127.0.0.1:9/other",
        "<b>bot</b>",
        ("monitor.down",),
        True,
    )
    assert "&lt;b&gt;bot&lt;/b&gt;" in (await owner.get("/webhooks")).text
    rotated = await owner.post(f"/webhooks/{made.sid}/rotate", data={"csrf": csrf})
    assert rotated.status_code == 200 and "A new signing secret" in rotated.text
    assert "whsec_" in rotated.text and made.secret not in rotated.text
    assert "Rotate the secret" not in (await viewer.get("/webhooks")).text
    assert (await viewer.get(f"/webhooks/{made.sid}/edit")).status_code == 403
    viewer_csrf = csrf_of((await viewer.get("/webhooks")).text)
    for path in (f"/webhooks/{made.sid}/edit", f"/webhooks/{made.sid}/rotate"):
        assert (await viewer.post(path, data={"csrf": viewer_csrf})).status_code == 403
        assert (await owner.post(path, data={})).status_code == 403
