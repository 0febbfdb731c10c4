"""The status-page editor: a page made of monitors, its settings, an incident with an
update, the preview, deletion; hostile text shown as text."""

from __future__ import annotations

import re

import httpx

from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

from .conftest import csrf_of


async def test_a_page_with_an_incident_edited_from_the_dashboard(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    shop = await runtime.monitors.create(
        account.account_sid,
        {"kind": "tcp", "target": "127.0.0.1:9", "name": "Shop <b>"},
        min_interval=15,
    )
    listing = await owner.get("/status-pages")
    csrf = csrf_of(listing.text)
    refused = await owner.post("/status-pages", data={"csrf": csrf, "visibility": "public"})
    assert refused.status_code == 400 and "name is required" in refused.text
    made = await owner.post(
        "/status-pages",
        data={"csrf": csrf, "name": "Acme", "visibility": "public", "components": [shop.sid]},
    )
    assert made.status_code == 303
    token = made.headers["location"].rsplit("/", 1)[1]
    editor = await owner.get(made.headers["location"])
    assert f'value="{shop.sid}" checked' in editor.text and "Shop &lt;b&gt;" in editor.text
    assert f'<iframe src="/p/{token}"' in editor.text
    saved = await owner.post(
        f"/status-pages/{token}",
        data={
            "csrf": csrf,
            "name": "Acme",
            "title": "Acme <status>",
            "visibility": "public",
            "components": [shop.sid],
        },
    )
    assert saved.status_code == 303
    posted = await owner.post(
        f"/status-pages/{token}/notices",
        data={"csrf": csrf, "type": "incident", "title": "Checkout <slow>", "message": "Looking."},
    )
    assert posted.status_code == 303
    editor = await owner.get(f"/status-pages/{token}")
    [sid] = re.findall(r'id="notice-(SN[0-9a-f]{32})"', editor.text)
    update = await owner.post(
        f"/status-pages/{token}/notices/{sid}/updates",
        data={"csrf": csrf, "state": "resolved", "message": "Fixed."},
    )
    assert update.status_code == 303
    public = await owner.get(f"/p/{token}")
    assert public.status_code == 200 and "Acme &lt;status&gt;" in public.text
    assert "Checkout &lt;slow&gt;" in public.text and "Fixed." in public.text
    viewed = await viewer.get(f"/status-pages/{token}")
    assert viewed.status_code == 200 and "Post update" not in viewed.text
    gone = await owner.post(f"/status-pages/{token}/delete", data={"csrf": csrf})
    assert gone.status_code == 303
    assert (await owner.get(f"/status-pages/{token}")).status_code == 404
