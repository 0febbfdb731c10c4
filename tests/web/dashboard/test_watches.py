"""Certificate monitors, monitored domains and blocklist hosts from the dashboard: added,
changed, paused, resumed and deleted through their forms; refusals named next to their
field; hostile strings escaped; viewers and CSRF-less posts refused; the list filtered."""

from __future__ import annotations

import re

import httpx

from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

from .conftest import csrf_of

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


async def _csrf(client: httpx.AsyncClient) -> str:
    return csrf_of((await client.get("/watches")).text)


def _sid(page: str, kind: str) -> str:
    [sid] = re.findall(rf'id="{kind}-([A-Z]{{2}}[0-9a-f]{{32}})"', page)
    return sid


async def _pause_resume_delete(owner: httpx.AsyncClient, csrf: str, kind: str, sid: str) -> None:
    row = re.compile(rf'<tr id="{kind}-{sid}">.*?</tr>', re.S)
    for action, paused in (("pause", True), ("resume", False)):
        answer = await owner.post(f"/watches/{kind}/{sid}/{action}", data={"csrf": csrf})
        assert answer.status_code == 303
        found = row.search((await owner.get("/watches")).text)
        assert found and ("(paused)" in found.group(0)) is paused
    assert (
        await owner.post(f"/watches/{kind}/{sid}/delete", data={"csrf": csrf})
    ).status_code == 303
    assert f'id="{kind}-{sid}"' not in (await owner.get("/watches")).text


async def test_a_certificate_monitor_made_changed_paused_and_deleted(
    owner: httpx.AsyncClient,
) -> None:
    csrf = await _csrf(owner)
    form = await owner.get("/watches/cert/new")
    assert form.status_code == 200 and 'name="hostname"' in form.text
    bad = await owner.post(
        "/watches/cert/new",
        data={
            "csrf": csrf,
            "hostname": "https://shop.test/",
            "protocol": "https",
            "port": "70000",
            "interval": "10",
            "name": HOSTILE,
        },
    )
    assert bad.status_code == 400
    for field in ("hostname", "port", "interval"):
        assert f'id="f-{field}-error"' in bad.text, field
    assert ESCAPED in bad.text and HOSTILE not in bad.text  # what was typed stays, escaped
    made = await owner.post(
        "/watches/cert/new",
        data={
            "csrf": csrf,
            "hostname": "localhost",
            "protocol": "smtps",
            "name": HOSTILE,
            "tags": "shop, <b>",
        },
    )
    assert made.status_code == 303
    page = (await owner.get("/watches")).text
    sid = _sid(page, "cert")
    assert ESCAPED in page and "&lt;b&gt;" in page and HOSTILE not in page
    edit = await owner.get(f"/watches/cert/{sid}/edit")
    assert 'value="localhost"' in edit.text and "<option selected>smtps</option>" in edit.text
    refused = await owner.post(
        f"/watches/cert/{sid}/edit",
        data={"csrf": csrf, "hostname": "localhost", "protocol": "gopher", "name": "Shop"},
    )
    assert refused.status_code == 400 and 'id="f-protocol-error"' in refused.text
    saved = await owner.post(
        f"/watches/cert/{sid}/edit",
        data={
            "csrf": csrf,
            "hostname": "localhost",
            "protocol": "https",
            "port": "8443",
            "name": "Shop TLS",
            "interval": "3600",
        },
    )
    assert saved.status_code == 303
    page = (await owner.get("/watches")).text
    assert "Shop TLS" in page and "localhost:8443" in page
    await _pause_resume_delete(owner, csrf, "cert", sid)


async def test_a_monitored_domain_with_its_records(owner: httpx.AsyncClient) -> None:
    csrf = await _csrf(owner)
    unparsed = await owner.post(
        "/watches/domain/new", data={"csrf": csrf, "domain": "shop.test", "records": "A"}
    )
    assert unparsed.status_code == 400
    assert 'id="f-records-error">line 1: a type, a host and a value<' in unparsed.text
    wrong_type = await owner.post(
        "/watches/domain/new",
        data={"csrf": csrf, "domain": "shop.test", "records": "A @ 192.0.2.1\nXYZ @ v"},
    )
    assert wrong_type.status_code == 400
    assert re.search(r'id="f-records-error">record 2: ', wrong_type.text)
    records = f"A @ 192.0.2.1\n\nMX @ 10 mail.shop.test\nTXT @ v=spf1 {HOSTILE}"
    made = await owner.post(
        "/watches/domain/new", data={"csrf": csrf, "domain": "Shop.test", "records": records}
    )
    assert made.status_code == 303, made.text
    page = (await owner.get("/watches")).text
    sid = _sid(page, "domain")
    assert "<code>shop.test</code>" in page and HOSTILE not in page
    edit = (await owner.get(f"/watches/domain/{sid}/edit")).text
    assert 'name="domain"' not in edit  # the domain is shown, not editable
    assert "MX @ 10 mail.shop.test" in edit and f"TXT @ v=spf1 {ESCAPED}" in edit
    saved = await owner.post(
        f"/watches/domain/{sid}/edit", data={"csrf": csrf, "records": "CNAME www shop.test"}
    )
    assert saved.status_code == 303
    assert '<td data-label="Records" class="">1, pending' in (await owner.get("/watches")).text
    await _pause_resume_delete(owner, csrf, "domain", sid)


async def test_a_blocklist_host_and_the_filters(owner: httpx.AsyncClient) -> None:
    csrf = await _csrf(owner)
    bad = await owner.post("/watches/rbl/new", data={"csrf": csrf, "host": "not a host!"})
    assert bad.status_code == 400 and 'id="f-host-error"' in bad.text
    made = await owner.post(
        "/watches/rbl/new", data={"csrf": csrf, "host": "127.0.0.2", "name": HOSTILE}
    )
    assert made.status_code == 303
    page = (await owner.get("/watches")).text
    sid = _sid(page, "rbl")
    assert ESCAPED in page and HOSTILE not in page
    edit = (await owner.get(f"/watches/rbl/{sid}/edit")).text
    assert '<code id="f-host">127.0.0.2</code>' in edit
    saved = await owner.post(
        f"/watches/rbl/{sid}/edit", data={"csrf": csrf, "name": "Mail out", "tags": "mail"}
    )
    assert saved.status_code == 303
    assert "Blocklist hosts (1 of 1" in (await owner.get("/watches?q=mail")).text
    assert "Blocklist hosts (0 of 1" in (await owner.get("/watches?q=shop")).text
    assert "Blocklist hosts (0 of 1" in (await owner.get("/watches?state=paused")).text
    assert (await owner.get("/watches?state=gone")).status_code == 400
    assert (await owner.post(f"/watches/rbl/{sid}/check", data={"csrf": csrf})).status_code == 400
    await _pause_resume_delete(owner, csrf, "rbl", sid)


async def test_a_viewer_and_a_csrf_less_post_change_nothing(
    owner: httpx.AsyncClient, viewer: httpx.AsyncClient, runtime: Runtime, account: CreatedKey
) -> None:
    made = await runtime.certs.create_monitor(
        account.account_sid, {"hostname": "localhost", "protocol": "https"}
    )
    page = (await viewer.get("/watches")).text
    assert "localhost" in page and "New certificate monitor" not in page and "Pause" not in page
    assert (await viewer.get("/watches/cert/new")).status_code == 403
    assert (await viewer.get(f"/watches/cert/{made.sid}/edit")).status_code == 403
    csrf = await _csrf(viewer)
    for path in (
        "/watches/cert/new",
        f"/watches/cert/{made.sid}/edit",
        f"/watches/cert/{made.sid}/delete",
    ):
        refused = await viewer.post(path, data={"csrf": csrf, "hostname": "x.test"})
        assert refused.status_code == 403, path
        assert (await owner.post(path, data={"hostname": "x.test"})).status_code == 403
    assert (await runtime.certs.get_monitor(account.account_sid, made.sid)).hostname == "localhost"
    assert (await owner.get("/watches/nope/new")).status_code == 400
