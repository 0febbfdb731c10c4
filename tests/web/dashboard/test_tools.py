"""The tools page: a header check of a local site, and refused input named."""

from __future__ import annotations

import httpx

from tests.servers.engine_targets import SwitchableSite, site

from .conftest import csrf_of

__all__ = ["site"]


async def test_a_header_check_of_a_local_site(
    viewer: httpx.AsyncClient, site: SwitchableSite
) -> None:
    page = await viewer.get("/tools?tool=headers")
    assert page.status_code == 200 and "health score" in page.text
    csrf = csrf_of(page.text)
    ran = await viewer.post(
        "/tools", data={"csrf": csrf, "tool": "headers", "target": site.url, "options": ""}
    )
    assert ran.status_code == 200, ran.text
    assert 'id="tool-outcome">up<' in ran.text and 'id="tool-score">' in ran.text
    assert site.hits == 1
    for options, said in (("{nope", "not JSON"), ('{"colour": 1}', "colour")):
        bad = await viewer.post(
            "/tools",
            data={"csrf": csrf, "tool": "headers", "target": site.url, "options": options},
        )
        assert bad.status_code == 400 and said in bad.text
    blank = await viewer.post("/tools", data={"csrf": csrf, "tool": "port", "target": " "})
    assert blank.status_code == 400 and 'id="tool-error"' in blank.text
    assert (await viewer.post("/tools", data={"tool": "port", "target": "x"})).status_code == 403
