"""Per-monitor recipients end to end: the engine finds a local site down, and the outbox
and the delivery worker tell a monitor's own recipients (a webhook subscription and a
contact, over both kinds) and no one else, while a monitor without a list tells its
contact groups and every subscription. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

from tests.delivery.helpers import add_contact, rows, subscribe, worker
from tests.engine.test_runner import create, engine_for
from tests.servers.engine_targets import SwitchableSite, site
from tests.servers.notification_servers import Receiver, receiver
from watchwire.clock import FrozenClock
from watchwire.pagination import PageRequest
from watchwire.probes.base import ProbeContext
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey

__all__ = ["receiver", "site"]


async def test_recipients_are_told_alone(
    runtime: Runtime,
    account: CreatedKey,
    probe_ctx: ProbeContext,
    site: SwitchableSite,
    receiver: Receiver,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    owner = account.account_sid
    hook_a = await subscribe(runtime, owner, receiver.url("/hook-a"), events=["monitor.down"])
    hook_b = await subscribe(runtime, owner, receiver.url("/hook-b"), events=["monitor.down"])
    alone, _ = await add_contact(
        runtime, owner, type="endpoint", args={"contact": receiver.url("/contact-alone")}
    )
    grouped, group = await add_contact(
        runtime, owner, type="endpoint", args={"contact": receiver.url("/contact-grouped")}
    )
    told = await create(
        runtime, account, kind="http", target=site.url, name="told", recipients=[hook_a.sid, alone]
    )
    routed = await create(
        runtime,
        account,
        kind="http",
        target=site.url,
        name="routed",
        contact_groups=[group],
        allow_duplicate=True,
    )
    site.status = 503
    engine = engine_for(runtime, probe_ctx)
    clock.advance(10)
    await engine.run_once()
    clock.advance(1)
    await engine.run_once()  # the confirmation: both down
    events = (await runtime.events.list(owner, PageRequest(per_page=50))).items
    downs = {e.resource_sid: e.sid for e in events if e.type == "monitor.down"}
    assert set(downs) == {told, routed}

    async def targets(event_sid: str) -> set[str]:
        return {r.target_sid for r in await rows(runtime, event_sid=event_sid)}

    assert await targets(downs[told]) == {hook_a.sid, alone}
    assert await targets(downs[routed]) == {hook_a.sid, hook_b.sid, grouped}

    delivering = worker(runtime)
    for _ in range(10):
        if not await delivering.run_once():
            break
    paths = Counter(request.path for request in receiver.requests)
    assert paths == {"/hook-a": 2, "/hook-b": 1, "/contact-alone": 1, "/contact-grouped": 1}
    alone_text = next(r.body for r in receiver.requests if r.path == "/contact-alone")
    assert b"told" in alone_text and b"routed" not in alone_text
