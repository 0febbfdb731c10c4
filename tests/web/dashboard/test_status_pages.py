"""The status-page editor: a page made of monitors, its settings, an incident with an
update, the preview, deletion; hostile text shown as text."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.conftest import client_for
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


async def test_groups_order_branding_and_a_maintenance_window(
    owner: httpx.AsyncClient, app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    mine = account.account_sid
    shop = await runtime.monitors.create(
        mine, {"kind": "tcp", "target": "127.0.0.1:9", "name": "Shop"}, min_interval=15
    )
    tls = await runtime.certs.create_monitor(
        mine, {"hostname": "localhost", "protocol": "https", "name": "Shop TLS"}
    )
    csrf = csrf_of((await owner.get("/status-pages")).text)
    made = await owner.post(
        "/status-pages", data={"csrf": csrf, "name": "Private", "visibility": "private"}
    )
    token = made.headers["location"].rsplit("/", 1)[1]
    editor = (await owner.get(f"/status-pages/{token}")).text
    assert f'value="{tls.sid}"' in editor and "(certificate)" in editor
    base = {"csrf": csrf, "name": "Private", "visibility": "private"}
    for field, value in (("accent_color", "red<"), ("logo_url", "javascript:alert(1)")):
        bad = await owner.post(f"/status-pages/{token}", data={**base, field: value})
        assert bad.status_code == 400 and f'id="page-{field}-error"' in bad.text, field
        assert "red&lt;" in bad.text or field != "accent_color"
    grouped = await owner.post(
        f"/status-pages/{token}",
        data={**base, "groups": "Web", "components": [shop.sid], f"group.{shop.sid}": "Nope"},
    )
    assert grouped.status_code == 400 and 'id="page-components-error"' in grouped.text
    saved = await owner.post(
        f"/status-pages/{token}",
        data={
            **base,
            "groups": "Web\nCertificates",
            "components": [shop.sid, tls.sid],
            f"position.{shop.sid}": "2",
            f"position.{tls.sid}": "1",
            f"group.{shop.sid}": "Web",
            f"group.{tls.sid}": "Certificates",
            "accent_color": "#aa3300",
            "logo_url": "https://example.com/logo.svg",
            "custom_domain": "status.acme.test",
        },
    )
    assert saved.status_code == 303, saved.text
    page = await runtime.status_pages.get_page(mine, token)
    assert [(c.sid, c.group) for c in page.components] == [
        (tls.sid, "Certificates"),
        (shop.sid, "Web"),
    ]
    assert (page.accent_color, page.logo_url, page.custom_domain) == (
        "#aa3300",
        "https://example.com/logo.svg",
        "status.acme.test",
    )
    late = await owner.post(
        f"/status-pages/{token}/notices",
        data={
            "csrf": csrf,
            "type": "maintenance",
            "title": "DB <upgrade>",
            "starts_at": "2030-01-02T03:00",
            "ends_at": "2030-01-02T01:00",
        },
    )
    assert late.status_code == 400 and 'id="notice-ends_at-error"' in late.text
    assert 'value="DB &lt;upgrade&gt;"' in late.text
    nonsense = await owner.post(
        f"/status-pages/{token}/notices",
        data={"csrf": csrf, "type": "maintenance", "title": "DB", "starts_at": "soon"},
    )
    assert nonsense.status_code == 400 and 'id="notice-starts_at-error"' in nonsense.text
    window = await owner.post(
        f"/status-pages/{token}/notices",
        data={
            "csrf": csrf,
            "type": "maintenance",
            "title": "DB upgrade",
            "starts_at": "2030-01-02T01:00",
            "ends_at": "2030-01-02T03:00",
        },
    )
    assert window.status_code == 303
    assert (
        "2030-01-02 01:00:00 UTC \u2013 2030-01-02 03:00:00 UTC"
        in (await owner.get(f"/status-pages/{token}")).text
    )
    # The preview of a private page: the session opens it, not for anyone else.
    preview = await owner.get(f"/p/{token}")
    assert preview.status_code == 200 and "Shop TLS" in preview.text
    assert "public" not in preview.headers.get("cache-control", "")
    async with client_for(app) as stranger:
        assert (await stranger.get(f"/p/{token}")).status_code == 404
