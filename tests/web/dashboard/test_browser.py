"""The dashboard as an operator uses it: Debian's chromium driven by Playwright against the
real app on a loopback port, the engine checking a local site between steps (on the test's
frozen clock). Screenshots go to docs/screenshots/ when `WATCHWIRE_SCREENSHOTS` names it."""

from __future__ import annotations

import json

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from tests.delivery.helpers import worker
from tests.engine.test_runner import engine_for
from tests.servers.api_server import api_server
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.webhook_receiver import Receiver, webhook_receiver
from tests.web.test_browser import PHONE, browser, open_tab, screenshots
from watchwire.clock import FrozenClock
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.web.dashboard import routes_monitors

from .conftest import PASSWORD

__all__ = ["api_server", "browser", "site", "webhook_receiver"]

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


async def serious_violations(tab: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is."""
    results = await Axe().run(tab)
    return [
        f"{v['id']}: {v['help']} {[n['html'][:80] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def sign_in_tab(tab: Page, base: str, email: str) -> None:
    await tab.goto(f"{base}/")
    await tab.fill("#email", email)
    await tab.fill("#password", PASSWORD)
    await tab.click("button[type=submit]")
    await expect(tab.locator("h1")).to_have_text("Monitors")


async def test_an_operator_watches_a_site_go_down_and_up(
    browser: Browser,
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    webhook_receiver: Receiver,
    api_server: tuple[str, int],
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The list polls every second here (5 s for people): the test waits for two changes.
    monkeypatch.setattr(routes_monitors, "POLL_SECONDS", 1)
    host, port = api_server
    base = f"http://{host}:{port}"
    shots = screenshots(tmp_path)  # type: ignore[arg-type]
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    await runtime.users.create_user(account.account_sid, "ops@acme.test", "owner", PASSWORD)
    await runtime.users.create_user(account.account_sid, "eve@acme.test", "viewer", PASSWORD)
    engine = engine_for(runtime, probe_ctx)

    async def check() -> None:
        clock.advance(61)
        await engine.run_once()

    tab, problems = await open_tab(browser)
    await tab.goto(f"{base}/monitors")
    assert tab.url.startswith(f"{base}/login")
    await tab.screenshot(path=shots / "dashboard-sign-in.png")
    assert await serious_violations(tab) == []
    await sign_in_tab(tab, base, "ops@acme.test")

    # A new HTTP monitor: a wrong value is named next to its field, then it is made.
    await tab.click("text=New monitor")
    await tab.click("a[href='/monitors/new?kind=http']")
    await tab.fill("#f-name", f"Shop {HOSTILE}")
    await tab.fill("#f-target", site.url)
    await tab.fill("#f-interval", "5")
    await tab.fill("#f-confirmations", "1")
    await tab.fill("#f-tags", "web, eu")
    await tab.click("text=Create monitor")
    await expect(tab.locator("#f-interval-error")).to_contain_text("15")
    await tab.screenshot(path=shots / "dashboard-form-errors.png", full_page=True)
    assert await serious_violations(tab) == []
    await tab.fill("#f-interval", "60")
    await tab.click("text=Create monitor")
    await expect(tab.locator("[role=status]")).to_have_text("Monitor created.")
    assert HOSTILE in await tab.inner_text("#monitor-name")  # shown as text, never run
    sid = tab.url.split("/")[-1].split("?")[0]

    # A heartbeat, pinged over its URL.
    await tab.goto(f"{base}/monitors/new?kind=heartbeat")
    await tab.fill("#f-name", "Nightly backup")
    await tab.fill("#f-interval", "3600")
    await tab.click("text=Create monitor")
    ping_url = await tab.inner_text("#ping-url")
    async with httpx.AsyncClient() as pinger:
        assert (await pinger.post(ping_url, content="backup done")).status_code == 200

    # A webhook to a local receiver: it will be told of the outage.
    await tab.click("nav >> text=Webhooks")
    await tab.fill("#hook-url", webhook_receiver.url("/hook"))
    await tab.fill("#hook-name", "Ops bot")
    await tab.click("text=Add webhook")
    await expect(tab.locator("#new-secret")).to_contain_text("whsec_")

    await check()
    await tab.goto(f"{base}/monitors")
    row = tab.locator(f"#row-{sid}")
    await expect(row.locator(".state")).to_have_text("Up")
    await expect(tab.locator("#monitor-list")).to_contain_text("Nightly backup")
    # The site fails: the list turns the row Down by itself (htmx polling, no reload).
    site.status = 503
    await check()
    await expect(row.locator(".state")).to_have_text("Down", timeout=5_000)
    site.status = 200
    await check()
    await expect(row.locator(".state")).to_have_text("Up", timeout=5_000)
    await tab.screenshot(path=shots / "dashboard-monitors-light.png", full_page=True)
    await worker(runtime).run_once()  # the down and up events reach the receiver
    told = [json.loads(r.body)["type"] for r in webhook_receiver.requests("/hook")]
    assert told == ["monitor.down", "monitor.up"], told
    assert await serious_violations(tab) == []

    await tab.click(f"#row-{sid} a")
    await expect(tab.locator("#downtimes")).to_contain_text("503")
    assert "monitor.down" in await tab.inner_text("#history")
    await tab.screenshot(path=shots / "dashboard-monitor.png", full_page=True)
    assert await serious_violations(tab) == []
    # The delivery log shows both deliveries; one goes again.
    await tab.click("nav >> text=Deliveries")
    await expect(tab.locator("#deliveries tbody tr")).to_have_count(2)
    await tab.locator("#deliveries button", has_text="Redeliver").first.click()
    await expect(tab.locator("[role=status]")).to_contain_text("Queued again as DL")
    await tab.screenshot(path=shots / "dashboard-deliveries.png", full_page=True)
    clock.advance(1)
    await worker(runtime).run_once()
    assert len(webhook_receiver.requests("/hook")) == 3

    # A certificate monitor's form: its refusals next to their fields, then it is listed.
    await tab.click("nav >> text=Certs & domains")
    await tab.click("text=New certificate monitor")
    await tab.fill("#f-hostname", "https://localhost/")
    await tab.fill("#f-interval", "10")
    await tab.click("button:text('Add')")
    await expect(tab.locator("#f-interval-error")).to_contain_text("300")
    await expect(tab.locator("#f-hostname-error")).to_be_visible()
    await tab.screenshot(path=shots / "dashboard-cert-form-errors.png", full_page=True)
    assert await serious_violations(tab) == []
    await tab.fill("#f-hostname", "localhost")
    await tab.fill("#f-interval", "")
    await tab.click("button:text('Add')")
    await expect(tab.locator("#certs")).to_contain_text("localhost")
    assert await serious_violations(tab) == []  # the list with its filters and buttons

    await tab.goto(f"{base}/monitors?q=backup")
    await tab.click("text=Nightly backup")
    await expect(tab.locator("#monitor-state")).to_have_text("Up")
    await expect(tab.locator("#pings")).to_contain_text("backup done")
    assert await tab.title() != "pwned" and problems == []

    # Signing out ends it: the dashboard asks again.
    await tab.click("text=Sign out")
    await expect(tab.locator("[role=status]")).to_have_text("You are signed out.")
    await tab.goto(f"{base}/monitors")
    assert tab.url.startswith(f"{base}/login")

    # A viewer reads at phone width in the dark, and is refused a change.
    phone, phone_problems = await open_tab(browser, dark=True, size=PHONE)
    await sign_in_tab(phone, base, "eve@acme.test")
    assert await phone.locator("text=New monitor").count() == 0
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    background = await phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    await phone.screenshot(path=shots / "dashboard-monitors-dark-phone.png", full_page=True)
    assert await serious_violations(phone) == []
    answer = await phone.goto(f"{base}/monitors/{sid}/edit")
    assert answer is not None and answer.status == 403
    await phone.screenshot(path=shots / "dashboard-viewer-refused.png")
    assert phone_problems == []
