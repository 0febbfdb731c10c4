"""The monitor pages over the real app: the list with its filters and live rows, the forms
(the service's rules, errors next to the field), the actions, and hostile text shown as
text everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from tests.servers.engine_targets import SwitchableSite, site
from watchwire.clock import FrozenClock
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables_engine import monitor_results

from .conftest import csrf_of

__all__ = ["site"]

HOSTILE = '<img src=x onerror="alert(1)">'


async def test_create_an_http_monitor_errors_next_to_their_fields(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey, site: SwitchableSite
) -> None:
    chooser = await owner.get("/monitors/new")
    assert 'href="/monitors/new?kind=heartbeat"' in chooser.text
    form = await owner.get("/monitors/new?kind=http")
    csrf = csrf_of(form.text)
    bad = await owner.post(
        "/monitors/new",
        data={
            "csrf": csrf,
            "kind": "http",
            "name": "Shop",
            "target": "ftp://nowhere",
            "interval": "5",
            "options.expected_status": "2xx, 7zz",
            "options_json": "{not json",
        },
    )
    assert bad.status_code == 400
    # Nothing was made, and the JSON box is named first (it is read before the service).
    assert 'id="f-options_json-error"' in bad.text
    bad = await owner.post(
        "/monitors/new",
        data={
            "csrf": csrf,
            "kind": "http",
            "name": "Shop",
            "target": site.url,
            "interval": "5",
            "options.expected_status": "2xx, 7zz",
        },
    )
    assert bad.status_code == 400
    errors = dict(re.findall(r'<span class="field-error" id="f-([\w-]+)-error">([^<]*)<', bad.text))
    assert set(errors) == {"interval"}, errors
    assert "15" in errors["interval"]
    assert 'value="Shop"' in bad.text  # what was typed stays
    made = await owner.post(
        "/monitors/new",
        data={
            "csrf": csrf,
            "kind": "http",
            "name": "Shop",
            "target": site.url,
            "interval": "30",
            "tags": "web, eu",
            "options.expected_status": "2xx",
            "options.keyword": "ok",
            "options.verify_tls": "on",
        },
    )
    assert made.status_code == 303, made.text
    sid = made.headers["location"].split("/")[2].split("?")[0]
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert (monitor.interval, monitor.tags) == (30, ("web", "eu"))
    assert monitor.options["keyword"] == "ok" and monitor.options["expected_status"] == ["2xx"]
    page = await owner.get(made.headers["location"])
    assert "Monitor created." in page.text and "Pending" in page.text
    # An option that breaks the probe's rules is named next to its field.
    edit = await owner.post(
        f"/monitors/{sid}/edit",
        data={"csrf": csrf, "name": "Shop", "target": site.url, "options.expected_status": "7zz"},
    )
    assert edit.status_code == 400
    assert 'id="f-options-expected_status-error"' in edit.text
    saved = await owner.post(
        f"/monitors/{sid}/edit",
        data={
            "csrf": csrf,
            "name": "Shop EU",
            "target": site.url,
            "interval": "60",
            "options.expected_status": "200",
            "options_json": '{"headers": {"Accept": "text/plain"}}',
        },
    )
    assert saved.status_code == 303
    monitor = await runtime.monitors.get(account.account_sid, sid)
    assert monitor.name == "Shop EU" and monitor.options["headers"] == {"Accept": "text/plain"}
    assert monitor.options["verify_tls"] is False  # the box was not ticked


async def test_list_filters_search_and_live_rows(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    make = runtime.monitors.create
    web = await make(
        account.account_sid,
        {"kind": "http", "target": "http://127.0.0.1:9/a", "name": "Web", "tags": ["eu"]},
        min_interval=15,
    )
    await make(
        account.account_sid,
        {"kind": "tcp", "target": "127.0.0.1:25", "name": "Mail"},
        min_interval=15,
    )
    beat = await make(account.account_sid, {"kind": "heartbeat", "name": "Backup"}, min_interval=15)
    await runtime.monitors.set_paused(account.account_sid, beat.sid, True)

    async def names(query: str) -> list[str]:
        answer = await owner.get("/monitors" + query)
        assert answer.status_code == 200
        return re.findall(r'<a href="/monitors/MO[0-9a-f]{32}">([^<]*)</a>', answer.text)

    assert await names("") == ["Backup", "Mail", "Web"]
    assert await names("?kind=tcp") == ["Mail"]
    assert await names("?state=paused") == ["Backup"]
    assert await names("?tag=eu") == ["Web"]
    assert await names("?q=127.0.0.1:25") == ["Mail"]
    assert await names("?q=WE") == ["Web"]
    assert await names("?kind=tcp&q=web") == []
    bad = await owner.get("/monitors?kind=nonsense")
    assert bad.status_code == 400 and "kind: one of" in bad.text
    rows = await owner.get("/monitors/rows?tag=eu")
    assert rows.text.startswith('<div id="rows"') and 'hx-trigger="every 5s"' in rows.text
    assert f"row-{web.sid}" in rows.text and "<html" not in rows.text
    page = await owner.get("/monitors")
    assert '<li><span class="state state-paused">Paused</span> 1</li>' in page.text


async def test_pause_resume_check_now_delete(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "tcp", "target": "127.0.0.1:9"}, min_interval=15
    )
    page = await owner.get(f"/monitors/{monitor.sid}")
    csrf = csrf_of(page.text)
    base = f"/monitors/{monitor.sid}"
    assert (await owner.post(base + "/pause", data={"csrf": csrf})).status_code == 303
    assert (await runtime.monitors.get(account.account_sid, monitor.sid)).paused
    refused = await owner.post(base + "/check", data={"csrf": csrf})
    assert refused.status_code == 400 and "resume the monitor" in refused.text
    assert (await owner.post(base + "/resume", data={"csrf": csrf})).status_code == 303
    runtime.clock.advance(30)  # type: ignore[attr-defined]
    assert (await owner.post(base + "/check", data={"csrf": csrf})).status_code == 303
    due = await runtime.monitors.get(account.account_sid, monitor.sid)
    assert not due.paused and due.next_run_at == runtime.clock.now()
    assert (await owner.post(base + "/delete", data={"csrf": csrf})).status_code == 303
    gone = await owner.get(base)
    assert gone.status_code == 404 and "Monitor not found" in gone.text


async def test_hostile_text_is_shown_never_run(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    monitor = await runtime.monitors.create(
        account.account_sid,
        {
            "kind": "http",
            "target": "http://127.0.0.1:9/" + "%3Cscript%3E",
            "name": HOSTILE,
            "tags": ["<b>tag</b>"],
        },
        min_interval=15,
    )
    for path in ("/monitors", f"/monitors/{monitor.sid}", f"/monitors/{monitor.sid}/edit"):
        body = (await owner.get(path)).text
        assert HOSTILE not in body and "<b>tag</b>" not in body, path
        assert "&lt;img src=x" in body, path
    form = await owner.get("/monitors/new?kind=tcp")
    answer = await owner.post(
        "/monitors/new",
        data={"csrf": csrf_of(form.text), "kind": "tcp", "target": HOSTILE, "name": HOSTILE},
    )
    assert answer.status_code == 400
    assert HOSTILE not in answer.text and "&lt;img src=x" in answer.text


async def test_nul_anywhere_is_a_400_page(owner: httpx.AsyncClient) -> None:
    page = await owner.get("/monitors/new?kind=tcp")
    for answer in (
        await owner.get("/monitors/MO%00x"),
        await owner.get("/monitors?q=a%00b"),
        await owner.post("/keys", data={"csrf": csrf_of(page.text), "name": "a\x00b"}),
    ):
        assert answer.status_code == 400 and "must not contain NUL" in answer.text


async def test_another_accounts_monitor_is_not_found(
    owner: httpx.AsyncClient, runtime: Runtime
) -> None:
    other = await runtime.accounts.create_account("other")
    theirs = await runtime.monitors.create(
        other.account_sid, {"kind": "tcp", "target": "127.0.0.1:9"}, min_interval=15
    )
    csrf = csrf_of((await owner.get("/monitors/new?kind=tcp")).text)
    base = f"/monitors/{theirs.sid}"
    assert (await owner.get(base)).status_code == 404
    assert (await owner.get(base + "/edit")).status_code == 404
    for action in ("pause", "check", "delete", "edit"):
        answer = await owner.post(f"{base}/{action}", data={"csrf": csrf, "name": "mine"})
        assert answer.status_code == 404, action
    assert (await runtime.monitors.get(other.account_sid, theirs.sid)).name == theirs.name
    assert theirs.sid not in (await owner.get("/monitors")).text


async def test_mute_and_unmute(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "tcp", "target": "127.0.0.1:9"}, min_interval=15
    )
    base = f"/monitors/{monitor.sid}"
    csrf = csrf_of((await owner.get(base)).text)
    assert (
        await owner.post(base + "/mute", data={"csrf": csrf, "mute_until": "recovery"})
    ).status_code == 303
    page = await owner.get(base)
    assert "muted until it is up again" in page.text and "Unmute" in page.text
    refused = await owner.post(base + "/mute", data={"csrf": csrf, "mute_until": "tomorrow-ish"})
    assert refused.status_code == 400
    assert (await owner.post(base + "/mute", data={"csrf": csrf})).status_code == 303
    assert (await runtime.monitors.get(account.account_sid, monitor.sid)).mute_until is None


async def test_result_details_rendered_by_what_they_are(
    owner: httpx.AsyncClient, runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    monitor = await runtime.monitors.create(
        account.account_sid, {"kind": "http", "target": "http://127.0.0.1:9/"}, min_interval=15
    )
    readings = [
        {
            "status": 503,
            "http_version": "1.1",
            "headers": {"content-type": "text/html", "server": HOSTILE},
            "final_url": "http://127.0.0.1:9/" + HOSTILE,
        },
        {
            "tls_version": "TLSv1.3",
            "common_name": "shop.test",
            "issuer": "CN=" + HOSTILE,
            "not_after": "2031-02-03T00:00:00Z",
            "days_left": 9,
            "trusted": False,
            "chain_length": 2,
            "hostname_matches": False,
        },
        {"answers": ["192.0.2.1", '"v=spf1 ' + HOSTILE + '"'], "reply": HOSTILE},
    ]
    async with runtime.db.transaction() as conn:
        for offset, details in enumerate(readings):
            await conn.execute(
                monitor_results.insert().values(
                    monitor_sid=monitor.sid,
                    checked_at=clock.now() - timedelta(minutes=offset),
                    outcome="down",
                    response_ms=12.0,
                    error=None,
                    covers_seconds=60,
                    lateness_ms=0.0,
                    location="local",
                    details=details,
                )
            )
    page = (await owner.get(f"/monitors/{monitor.sid}")).text
    assert HOSTILE not in page and page.count("&lt;img src=x") == 5
    assert '<strong class="bad">HTTP 503</strong> <span class="muted">HTTP/1.1</span>' in page
    assert "<dt>content-type</dt><dd><code>text/html</code></dd>" in page
    assert "<strong>TLSv1.3</strong>" in page and "expires 2031-02-03" in page
    assert ">not trusted<" in page and ">name mismatch<" in page and "chain of 2" in page
    assert "<li><code>192.0.2.1</code></li>" in page
    assert "<code>reply=&lt;img" in page  # what no kind reads stays key=value
