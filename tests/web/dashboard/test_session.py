"""Signing in and out, the session cookie, CSRF on every form and the roles, over the real
app (in process)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.conftest import client_for
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.web.dashboard import ROUTERS
from watchwire.web.dashboard.routing import DashboardRoute

from .conftest import PASSWORD, csrf_of, sign_in


async def test_sign_in_sets_a_private_cookie_and_opens_the_dashboard(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    await runtime.users.create_user(account.account_sid, "Ops@Acme.test", "owner", PASSWORD)
    async with client_for(app) as client:
        assert (await client.get("/")).headers["location"] == "/login"
        answer = await client.get("/monitors?kind=http")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=/monitors%3Fkind%3Dhttp"
        wrong = await sign_in(client, "ops@acme.test", "not the password!")
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        unknown = await sign_in(client, "nobody@acme.test")
        assert unknown.status_code == 401 and "Wrong email or password" in unknown.text
        made = await sign_in(client, "  OPS@acme.test ")
        assert made.status_code == 303 and made.headers["location"] == "/monitors"
        cookie = made.headers["set-cookie"]
        assert "watchwire_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=1209600" in cookie
        page = await client.get("/monitors")
        assert page.status_code == 200 and "ops@acme.test (owner)" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert (await client.get("/")).headers["location"] == "/monitors"


async def test_secure_cookie_over_https(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    await runtime.users.create_user(account.account_sid, "ops@acme.test", "owner", PASSWORD)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://watchwire.test") as client:
        made = await sign_in(client, "ops@acme.test")
        assert made.status_code == 303
        assert "Secure" in made.headers["set-cookie"]


async def test_next_stays_on_this_site(app: FastAPI, runtime: Runtime, account: CreatedKey) -> None:
    await runtime.users.create_user(account.account_sid, "ops@acme.test", "owner", PASSWORD)
    async with client_for(app) as client:
        form = await client.get("/login?next=//evil.test/x")
        assert 'name="next" value="/monitors"' in form.text
        answer = await client.post(
            "/login",
            data={
                "csrf": csrf_of(form.text),
                "email": "ops@acme.test",
                "password": PASSWORD,
                "next": "https://evil.test/",
            },
        )
        assert answer.headers["location"] == "/monitors"


async def test_a_sign_in_without_the_forms_token_is_refused(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    await runtime.users.create_user(account.account_sid, "ops@acme.test", "owner", PASSWORD)
    async with client_for(app) as client:
        answer = await client.post("/login", data={"email": "ops@acme.test", "password": PASSWORD})
        assert answer.status_code == 403
        assert "watchwire_session" not in answer.headers.get("set-cookie", "")


async def test_every_form_refuses_a_post_without_its_csrf_token(
    app: FastAPI, owner: httpx.AsyncClient, account: CreatedKey
) -> None:
    posts = [
        route.path
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, DashboardRoute) and "POST" in route.methods and route.path != "/login"
    ]
    assert len(posts) >= 17, posts
    for path in posts:
        filled = path.replace("{sid}", "MO" + "0" * 32).replace("{action}", "pause")
        for token in (None, "0" * 64):
            data = {} if token is None else {"csrf": token}
            answer = await owner.post(filled, data=data)
            assert answer.status_code == 403, (path, answer.text)
            assert "CSRF token is wrong" in answer.text
    # And the session still works: nothing was changed, nobody was signed out.
    assert (await owner.get("/monitors")).status_code == 200


async def test_a_viewer_reads_but_cannot_change(
    viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "tcp", "target": "127.0.0.1:9"}, min_interval=15
    )
    page = await viewer.get(f"/monitors/{monitor.sid}")
    assert page.status_code == 200 and "Edit" not in page.text and "Pause" not in page.text
    csrf = csrf_of(page.text)
    for path in (f"/monitors/{monitor.sid}/edit", "/monitors/new"):
        refused = await viewer.get(path)
        assert refused.status_code == 403 and "Your role (viewer)" in refused.text
    for path, data in (
        (f"/monitors/{monitor.sid}/pause", {}),
        (f"/monitors/{monitor.sid}/delete", {}),
        (f"/monitors/{monitor.sid}/edit", {"name": "x"}),
        ("/monitors/new", {"kind": "tcp", "target": "127.0.0.1:10"}),
        ("/keys", {"name": "mine"}),
        ("/users", {"email": "friend@acme.test", "role": "owner"}),
    ):
        answer = await viewer.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 403, path
    after = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert not after.paused and after.name == monitor.name
    assert [u.email for u in await runtime.users.list_users(account.account_sid)] == [
        "viewer@acme.test"
    ]


async def test_sign_out_ends_the_session_on_the_server(
    app: FastAPI, owner: httpx.AsyncClient
) -> None:
    page = await owner.get("/monitors")
    cookie = owner.cookies["watchwire_session"]
    answer = await owner.post("/logout", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/login?out"
    # The old cookie, presented again, opens nothing.
    async with client_for(app) as other:
        other.cookies.set("watchwire_session", cookie)
        assert (await other.get("/monitors")).status_code == 303
