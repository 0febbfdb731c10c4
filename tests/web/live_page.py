"""A status page with real data: monitors checked by the engine against local servers for
26 hours of a frozen clock (one check an hour), one down for a few hours, one down now, an
incident written in Markdown and a maintenance window to come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.engine.test_runner import create, engine_for
from tests.servers.engine_targets import SwitchablePort, SwitchableSite
from watchwire.clock import FrozenClock
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.status_pages.service import ComponentInput, PageFields

HOURS = 26
OUTAGE_HOURS = range(14, 18)  # the shop is down for four hours in the night
ACCESS_KEY = "let-me-in-please"
# What a visitor must never see run: markup in names and incident text is shown as text.
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


@dataclass(frozen=True)
class LivePage:
    token: str
    protected_token: str
    shop: str
    api: str
    port: str


async def build(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    tcp_port: SwitchablePort,
) -> LivePage:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    owner = account.account_sid
    shop = await create(
        runtime, account, kind="http", target=site.url, name="Web shop", confirmations=1
    )
    api = await create(
        runtime, account, kind="http", target=site.url + "?api", name="Public API", confirmations=1
    )
    port = await create(
        runtime,
        account,
        kind="tcp",
        target=tcp_port.target,
        name=f"Mail {HOSTILE}",
        confirmations=1,
    )
    engine = engine_for(runtime, probe_ctx)
    for hour in range(HOURS):
        site.status = 503 if hour in OUTAGE_HOURS else 200
        if hour == HOURS - 3:
            await tcp_port.close()  # the mail port is down for the last three hours
        clock.advance(3600)
        await engine.run_once()
    pages = runtime.status_pages
    page = await pages.create_page(
        owner,
        PageFields(
            name="Acme",
            title="Acme status",
            description="Live status of Acme's shop, API and mail.",
            components=[
                ComponentInput(shop, "Website"),
                ComponentInput(api, "Website"),
                ComponentInput(port, "Mail"),
            ],
            groups=["Website", "Mail"],
            footer="Questions? Write to ops@acme.test.",
            timezone="Europe/Berlin",
        ),
    )
    now = clock.now()
    incident = await pages.create_notice(
        owner,
        page.token,
        type="incident",
        title="Checkout errors",
        message=f"Payments **fail** for some customers. {HOSTILE}",
        state="investigating",
        starts_at=now - timedelta(hours=1),
        components=[shop],
    )
    await pages.add_update(
        owner, page.token, incident.sid, state="identified", message="A bad deploy; rolling back."
    )
    await pages.create_notice(
        owner,
        page.token,
        type="maintenance",
        title="Mail server upgrade",
        message="Mail may be delayed for *ten minutes*.",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
        components=[port],
    )
    protected = await pages.create_page(
        owner,
        PageFields(
            name="Internal",
            components=[ComponentInput(api)],
            visibility="protected",
            access_key=ACCESS_KEY,
        ),
    )
    return LivePage(page.token, protected.token, shop, api, port)
