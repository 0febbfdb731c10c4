"""The visitor face over the real status-page service, on SQLite and PostgreSQL: who sees a
private or protected page, custom domains, and what shared caches may keep."""

from __future__ import annotations

import httpx

from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.status_pages.service import ComponentInput, PageFields


async def _page(runtime: Runtime, account: CreatedKey, **fields: object) -> str:
    monitor = await runtime.monitors.create(
        account.account_sid,
        {"kind": "tcp", "target": "127.0.0.1:9", "name": "Mail"},
        min_interval=30,
    )
    page = await runtime.status_pages.create_page(
        account.account_sid,
        PageFields(name="Acme", components=[ComponentInput(monitor.sid)], **fields),  # type: ignore[arg-type]
    )
    return page.token


async def test_a_private_page_is_seen_by_its_owner_key_alone(
    runtime: Runtime, account: CreatedKey, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    token = await _page(runtime, account, visibility="private")
    stranger = await runtime.accounts.create_account("stranger", plan="business")
    for headers in ({}, {"X-API-Key": stranger.key}, {"X-API-Key": "not-a-key"}):
        answer = await client.get(f"/p/{token}", headers=headers)
        assert answer.status_code == 404, headers  # its existence is not disclosed
        assert "Page not found" in answer.text
    answer = await client.get(f"/p/{token}.json", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["name"] == "Acme"
    # Seen with a key: no shared cache may keep it.
    assert answer.headers["cache-control"].startswith("private")


async def test_protected_page_and_custom_domain(
    runtime: Runtime, account: CreatedKey, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    token = await _page(
        runtime,
        account,
        visibility="protected",
        access_key="open-sesame",
        custom_domain="status.acme.test",
    )
    host = {"Host": "status.acme.test"}
    assert (await client.get("/", headers=host)).status_code == 401
    opened = await client.get("/?access_key=open-sesame", headers=host)
    assert opened.status_code == 200 and "Mail" in opened.text
    assert opened.headers["cache-control"].startswith("private")
    # The form keeps the key in a cookie for that page; the owner needs no key at all.
    granted = await client.post("/access", data={"access_key": "open-sesame"}, headers=host)
    assert granted.status_code == 303 and "watchwire_page_domain" in granted.headers["set-cookie"]
    assert (await client.get(f"/p/{token}", headers=auth)).status_code == 200
    # Any other address's `/` is the dashboard (its sign-in, for a visitor).
    other = await client.get("/", headers={"Host": "other.test"})
    assert other.status_code == 303 and other.headers["location"] == "/login"


async def test_a_public_page_may_be_kept_by_shared_caches(
    runtime: Runtime, account: CreatedKey, client: httpx.AsyncClient
) -> None:
    token = await _page(runtime, account)
    answer = await client.get(f"/p/{token}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=30"
    again = await client.get(f"/p/{token}", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_a_page_is_sent_compressed_to_visitors_who_take_it(
    runtime: Runtime, account: CreatedKey, client: httpx.AsyncClient
) -> None:
    token = await _page(runtime, account)
    plain = await client.get(f"/p/{token}", headers={"Accept-Encoding": "identity"})
    packed = await client.get(f"/p/{token}", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == plain.text  # httpx decodes it: the same page
    for answer in (plain, packed):
        assert answer.headers["vary"] == "Accept-Encoding, Host"
    # Two representations, two tags; each revalidates as itself.
    assert packed.headers["etag"] != plain.headers["etag"]
    again = await client.get(
        f"/p/{token}", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    other = await client.get(
        f"/p/{token}",
        headers={"Accept-Encoding": "identity", "If-None-Match": packed.headers["etag"]},
    )
    assert other.status_code == 200 and other.text == plain.text
