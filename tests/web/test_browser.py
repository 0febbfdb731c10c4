"""Status pages as a visitor sees them: Debian's chromium driven by Playwright against the
real app on a loopback port, with data made by the engine checking local servers. Also an
accessibility audit with axe-core, and screenshots (kept in docs/screenshots/ when the
`WATCHWIRE_SCREENSHOTS` directory is given, else in the test's own directory)."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from tests.servers.api_server import api_server
from tests.servers.engine_targets import SwitchablePort, SwitchableSite, site, tcp_port
from tests.servers.watchwire_processes import prepare, start_serve, watchwire_env
from tests.storage import open_database
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.database import Database

from .live_page import ACCESS_KEY, OUTAGE_HOURS, LivePage, build

__all__ = ["api_server", "site", "tcp_port"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1100, "height": 900}


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """SQLite only: this face renders the service's PageView, whose reading of storage is
    tested on both backends in tests/services/test_status_pages.py."""
    async for db in open_database("sqlite", tmp_path):
        yield db


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def live(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    tcp_port: SwitchablePort,
    api_server: tuple[str, int],
) -> tuple[str, LivePage]:
    page = await build(runtime, account, probe_ctx, site, tcp_port)
    host, port = api_server
    return f"http://{host}:{port}", page


def screenshots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("WATCHWIRE_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


async def open_tab(
    browser: Browser, *, dark: bool = False, size: dict[str, int] = DESKTOP, script: bool = True
) -> tuple[Page, list[str]]:
    """A fresh tab, and the list its console errors and page errors are collected in."""
    context = await browser.new_context(
        viewport=size,  # type: ignore[arg-type]
        color_scheme="dark" if dark else "light",
        java_script_enabled=script,
    )
    tab = await context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A 401 or 404 page is meant: the browser's note about the document's own status
        # is no problem of the page.
        own_status = message.location.get("url") == tab.url and message.text.startswith(
            "Failed to load resource"
        )
        if message.type == "error" and not own_status:
            problems.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    return tab, problems


async def test_a_visitor_sees_states_bars_chart_and_incidents(
    browser: Browser, live: tuple[str, LivePage], tmp_path: Path
) -> None:
    base, page = live
    tab, problems = await open_tab(browser, script=False)  # it works without JavaScript
    answer = await tab.goto(f"{base}/p/{page.token}")
    assert answer is not None and answer.status == 200
    assert await tab.title() == "Acme status: status"
    assert await tab.inner_text("#banner") == "Partial outage"
    states = {
        sid: await tab.inner_text(f"#component-{sid} .state")
        for sid in (page.shop, page.api, page.port)
    }
    # The shop answers 200 again, its incident is on the page; the API too; the mail
    # port was never opened on this test's server: down.
    assert states == {page.shop: "Operational", page.api: "Operational", page.port: "Down"}
    # One bar per day for 90 days; the outage day's tooltip says how long it was down.
    bars = tab.locator(f"#component-{page.shop} svg.bars rect")
    assert await bars.count() == 90
    tooltips = [await bars.nth(i).locator("title").text_content() or "" for i in range(87, 90)]
    down = [t for t in tooltips if "min down" in t and not t.endswith(" 0 min down")]
    assert len(down) == 1 and f"{len(OUTAGE_HOURS)} min down" in down[0], tooltips
    assert tooltips[0].endswith(": no data")  # the day before the first check
    label = await tab.locator(f"#component-{page.shop} svg.bars").get_attribute("aria-label")
    assert label is not None and "uptime over 90 days" in label
    # The response-time chart of the last 24 hours has a point per hour.
    points = await tab.locator(f"#component-{page.shop} svg.chart polyline").get_attribute("points")
    assert points is not None and len(points.split()) >= 20
    # The incident and its update, Markdown rendered; the markup in it shown, never run.
    incident = tab.locator("section[aria-labelledby=incidents-title] article")
    assert "Payments fail for some customers." in await incident.inner_text()
    assert await incident.locator(".message strong").first.inner_text() == "fail"
    assert "A bad deploy; rolling back." in await incident.inner_text()
    assert await tab.locator("img[src=x]").count() == 0
    assert "<img src=x" in await tab.inner_text(f"#name-{page.port}")
    maintenance = await tab.inner_text("section[aria-labelledby=maintenance-title]")
    assert "Mail server upgrade" in maintenance and "Scheduled" in maintenance
    await tab.screenshot(path=screenshots(tmp_path) / "status-page-light.png", full_page=True)
    assert problems == []


async def test_dark_scheme_phone_width_and_other_periods(
    browser: Browser, live: tuple[str, LivePage], tmp_path: Path
) -> None:
    base, page = live
    tab, problems = await open_tab(browser, dark=True, size=PHONE)
    await tab.goto(f"{base}/p/{page.token}")
    background = await tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    # Readable at 360 px: nothing wider than the screen, so no sideways scrolling.
    # Readable at 360 px: nothing wider than the screen, so no sideways scrolling.
    width = await tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    await tab.screenshot(path=screenshots(tmp_path) / "status-page-dark-phone.png", full_page=True)
    await tab.click("text=7 days")
    assert tab.url.endswith("?period=7d")
    assert await tab.locator("nav.periods [aria-current=page]").inner_text() == "7 days"
    label = await tab.locator(f"#component-{page.shop} svg.chart").get_attribute("aria-label")
    assert label is not None and "7 days" in label
    assert problems == []


async def test_protected_page_asks_for_its_key_and_opens_with_it(
    browser: Browser, live: tuple[str, LivePage], tmp_path: Path
) -> None:
    base, page = live
    tab, problems = await open_tab(browser)
    answer = await tab.goto(f"{base}/p/{page.protected_token}")
    assert answer is not None and answer.status == 401
    assert await tab.locator("h1").inner_text() == "This status page is protected"
    assert await tab.locator("#component-" + page.api).count() == 0
    await tab.fill("#access_key", "wrong-key")
    await tab.click("button[type=submit]")
    assert await tab.locator("[role=alert]").inner_text() == "That access key is not right."
    await tab.screenshot(path=screenshots(tmp_path) / "status-page-protected.png")
    await tab.fill("#access_key", ACCESS_KEY)
    await tab.click("button[type=submit]")
    assert tab.url == f"{base}/p/{page.protected_token}"
    assert await tab.locator(f"#component-{page.api} .state").inner_text() == "Operational"
    # The key is remembered for this page in a cookie: a reload needs no form.
    await tab.reload()
    assert await tab.locator(f"#component-{page.api}").count() == 1
    assert problems == []


async def test_unknown_page_is_a_404_page(browser: Browser, live: tuple[str, LivePage]) -> None:
    base, _ = live
    tab, problems = await open_tab(browser)
    answer = await tab.goto(f"{base}/p/no-such-page")
    assert answer is not None and answer.status == 404
    assert "not found" in (await tab.locator("h1").inner_text()).lower()
    assert problems == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
async def test_no_serious_accessibility_violations(
    browser: Browser, live: tuple[str, LivePage], dark: bool
) -> None:
    base, page = live
    tab, _ = await open_tab(browser, dark=dark)
    for path in (f"/p/{page.token}", f"/p/{page.protected_token}", "/p/no-such-page"):
        await tab.goto(base + path)
        results = await Axe().run(tab)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path


async def test_pages_served_by_a_running_serve(
    browser: Browser, site: SwitchableSite, tmp_path: Path
) -> None:
    """The whole product as deployed: `watchwire serve` checks a local site and serves the
    page that lists it, and the monitor's own published page, to a real browser."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    headers = await prepare(url)
    serve = await start_serve(watchwire_env(url), tmp_path)
    try:
        async with httpx.AsyncClient(base_url=serve.base_url, headers=headers, timeout=10) as api:
            body = {"kind": "http", "target": site.url, "name": "Storefront", "published": True}
            monitor = (await api.post("/v1/monitors", json=body)).json()["data"]
            made = await api.post(
                "/v1/status-pages",
                json={"name": "Acme", "components": [{"sid": monitor["sid"]}]},
            )
            token = made.json()["data"]["token"]
            deadline = time.monotonic() + 60
            while (await api.get(f"/v1/monitors/{monitor['sid']}")).json()["data"]["state"] != "up":
                assert time.monotonic() < deadline, serve.log_text()
                await asyncio.sleep(0.2)
        tab, problems = await open_tab(browser)
        for address in (f"{serve.base_url}/p/{token}", monitor["published_url"]):
            answer = await tab.goto(address)
            assert answer is not None and answer.status == 200
            assert await tab.inner_text("#banner") == "All systems operational"
            assert await tab.inner_text(f"#component-{monitor['sid']} .state") == "Operational"
            assert "Storefront" in await tab.inner_text(f"#name-{monitor['sid']}")
        assert problems == []
        assert site.hits >= 1
    finally:
        code, _ = await serve.stop()
    assert code == 0
