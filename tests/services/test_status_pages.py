"""The status-page service: ownership of components, visibility and access keys, order,
notices and their updates, and visits computed from the hourly rollups."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from watchwire.clock import FrozenClock
from watchwire.engine.rollup import Rollup, hour_of
from watchwire.errors import ConflictError, NotFoundError, ValidationError
from watchwire.pagination import PageRequest
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.status_pages.records import MAX_MESSAGE
from watchwire.services.status_pages.service import ComponentInput, PageFields
from watchwire.services.status_pages.visit import AccessDeniedError
from watchwire.store.tables_engine import monitor_rollups, monitors


async def _monitor(runtime: Runtime, account: str, name: str) -> str:
    created = await runtime.monitors.create(
        account,
        {"kind": "tcp", "target": "127.0.0.1:1", "name": name, "allow_duplicate": True},
        min_interval=30,
    )
    return created.sid


async def _rollup(
    runtime: Runtime, sid: str, hours_ago: int, up: int, down: int, ms: float
) -> None:
    assert isinstance(runtime.clock, FrozenClock)
    hour = hour_of(runtime.clock.now()) - timedelta(hours=hours_ago)
    row = Rollup(
        count=2, failures=1 if down else 0, up_seconds=up, down_seconds=down, timed=1, sum_ms=ms
    ).to_row()
    async with runtime.db.transaction() as conn:
        await conn.execute(monitor_rollups.insert().values(monitor_sid=sid, hour=hour, **row))


async def test_components_must_belong_to_the_account_and_name_a_group(
    runtime: Runtime, account: CreatedKey
) -> None:
    other = await runtime.accounts.create_account("other", plan="business")
    theirs = await _monitor(runtime, other.account_sid, "theirs")
    mine = await _monitor(runtime, account.account_sid, "mine")
    service = runtime.status_pages
    with pytest.raises(ValidationError) as info:
        await service.create_page(
            account.account_sid,
            PageFields(name="p", components=[ComponentInput(mine), ComponentInput(theirs)]),
        )
    assert info.value.details[0]["field"] == "components[1].sid"
    with pytest.raises(ValidationError) as info:
        await service.create_page(
            account.account_sid,
            PageFields(name="p", components=[ComponentInput(mine, "API")], groups=["Web"]),
        )
    assert info.value.details[0]["field"] == "components[0].group"
    for bad, field in (
        (PageFields(name="p", accent_color="red"), "accent_color"),
        (PageFields(name="p", timezone="Mars/Olympus"), "timezone"),
        (PageFields(name="p", custom_domain="not a host"), "custom_domain"),
        (PageFields(name="p", visibility="protected"), "access_key"),
        (PageFields(name="p", visibility="secret"), "visibility"),
        (PageFields(name=" "), "name"),
        (PageFields(name="p", logo_url="javascript:alert(1)"), "logo_url"),
    ):
        with pytest.raises(ValidationError) as info:
            await service.create_page(account.account_sid, bad)
        assert info.value.details[0]["field"] == field
    page = await service.create_page(
        account.account_sid, PageFields(name="p", custom_domain="Status.Example.COM")
    )
    assert page.custom_domain == "status.example.com"
    with pytest.raises(ConflictError):
        await service.create_page(
            account.account_sid, PageFields(name="q", custom_domain="status.example.com")
        )
    with pytest.raises(NotFoundError):
        await service.get_page(other.account_sid, page.token)
    assert (await service.list_pages(other.account_sid, PageRequest())).total == 0


async def test_visibility_access_keys_and_custom_domain(
    runtime: Runtime, account: CreatedKey
) -> None:
    service = runtime.status_pages
    owner = account.account_sid
    page = await service.create_page(
        owner, PageFields(name="p", visibility="protected", access_key="s3cret-key")
    )
    with pytest.raises(AccessDeniedError):
        await service.visit(page.token, access_key=None, host=None, owner_account=None)
    with pytest.raises(AccessDeniedError):
        await service.visit(page.token, access_key="wrong-key", host=None, owner_account=None)
    seen = await service.visit(page.token, access_key="s3cret-key", host=None, owner_account=None)
    assert seen.name == "p"
    assert await service.visit(page.token, access_key=None, host=None, owner_account=owner)
    await service.update_page(owner, page.token, PageFields(visibility="private"))
    with pytest.raises(NotFoundError):
        await service.visit(page.token, access_key="s3cret-key", host=None, owner_account=None)
    other = await runtime.accounts.create_account("other", plan="business")
    with pytest.raises(NotFoundError):
        await service.visit(page.token, access_key=None, host=None, owner_account=other.account_sid)
    await service.visit(page.token, access_key=None, host=None, owner_account=owner)
    await service.update_page(
        owner, page.token, PageFields(visibility="public", custom_domain="status.example.com")
    )
    assert await service.by_domain("STATUS.example.com:8080") == page.token
    by_host = await service.visit(
        "", access_key=None, host="status.example.com", owner_account=None
    )
    assert by_host.token == page.token
    with pytest.raises(NotFoundError):
        await service.by_domain("elsewhere.example.com")
    with pytest.raises(NotFoundError):
        await service.visit("nope", access_key=None, host=None, owner_account=None)


async def test_order_groups_uptime_and_response_times_from_rollups(
    runtime: Runtime, account: CreatedKey
) -> None:
    owner = account.account_sid
    a, b, c = [await _monitor(runtime, owner, name) for name in "abc"]
    async with runtime.db.transaction() as conn:
        await conn.execute(monitors.update().where(monitors.c.sid == a).values(state="up"))
        await conn.execute(monitors.update().where(monitors.c.sid == b).values(state="down"))
    await _rollup(runtime, a, 1, 3000, 600, 120.0)  # 1 h ago: 600 s down of 3,600
    await _rollup(runtime, a, 24 * 10, 3600, 0, 80.0)  # 10 days ago
    page = await runtime.status_pages.create_page(
        owner,
        PageFields(
            name="p",
            groups=["Back", "Front"],
            components=[ComponentInput(c, "Front"), ComponentInput(a), ComponentInput(b, "Back")],
        ),
    )
    view = await runtime.status_pages.visit(
        page.token, access_key=None, host=None, owner_account=None
    )
    assert [(g.name, [x.sid for x in g.components]) for g in view.groups] == [
        (None, [a]),
        ("Back", [b]),
        ("Front", [c]),
    ]
    assert view.overall == "partial_outage"
    comp = view.groups[0].components[0]
    assert comp.state == "up"
    assert comp.uptime["24h"] == pytest.approx(100 * 3000 / 3600, abs=0.01)
    assert comp.uptime["30d"] == pytest.approx(100 * 6600 / 7200, abs=0.01)
    assert len(comp.days) == 90 and comp.days[-1].day == runtime.clock.now().date()
    assert sum(d.down_minutes for d in comp.days) == 10.0
    assert [p.ms for p in comp.response_times["24h"]] == [120.0]
    assert len(comp.response_times["30d"]) == 2
    assert view.groups[2].components[0].state == "unknown"
    assert view.groups[2].components[0].uptime["90d"] is None
    again = await runtime.status_pages.visit(
        page.token, access_key=None, host=None, owner_account=None
    )
    assert again.etag == view.etag
    await _rollup(runtime, a, 0, 3600, 0, 90.0)
    # A crowd shares one computed view for a few seconds, and for as long again while it
    # is computed afresh in the background; then the new data shows.
    cache = runtime.settings.status_page_cache_seconds
    assert (await runtime.status_pages.visit(page.token)).etag == view.etag
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(cache)
    assert (await runtime.status_pages.visit(page.token)).etag == view.etag  # stale, refreshing
    for _ in range(200):  # the background computation lands within seconds
        await asyncio.sleep(0.05)
        if (await runtime.status_pages.visit(page.token)).etag != view.etag:
            break
    assert (await runtime.status_pages.visit(page.token)).etag != view.etag  # refreshed
    runtime.clock.advance(2 * cache)
    changed = await runtime.status_pages.visit(page.token)
    assert changed.etag != view.etag


async def test_incidents_updates_and_maintenance_shown_as_maintenance(
    runtime: Runtime, account: CreatedKey
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    owner = account.account_sid
    sid = await _monitor(runtime, owner, "api")
    async with runtime.db.transaction() as conn:
        await conn.execute(monitors.update().where(monitors.c.sid == sid).values(state="down"))
    service = runtime.status_pages
    page = await service.create_page(owner, PageFields(name="p", components=[ComponentInput(sid)]))
    with pytest.raises(ValidationError) as info:
        await service.create_notice(
            owner, page.token, type="incident", title="t", message="x" * (MAX_MESSAGE + 1)
        )
    assert info.value.details[0]["field"] == "message"
    with pytest.raises(ValidationError) as info:
        await service.create_notice(
            owner, page.token, type="incident", title="t", state="scheduled"
        )
    assert info.value.details[0]["field"] == "state"
    with pytest.raises(ValidationError):
        await service.create_notice(
            owner, page.token, type="incident", title="t", components=["MO" + "0" * 32]
        )
    incident = await service.create_notice(
        owner, page.token, type="incident", title="API down", message="*looking*", components=[sid]
    )
    clock.advance(60)
    incident = await service.add_update(
        owner, page.token, incident.sid, state="identified", message="found"
    )
    assert [u.state for u in incident.updates] == ["identified", "investigating"]
    view = await service.visit(page.token, access_key=None, host=None, owner_account=None)
    assert [n.title for n in view.active_incidents] == ["API down"]
    assert view.overall == "major_outage"
    clock.advance(60)
    await service.add_update(owner, page.token, incident.sid, state="resolved", message="fixed")
    window = await service.create_notice(
        owner,
        page.token,
        type="maintenance",
        title="upgrade",
        starts_at=clock.now() + timedelta(minutes=5),
        ends_at=clock.now() + timedelta(hours=1),
        components=[sid],
    )
    view = await service.visit(page.token, access_key=None, host=None, owner_account=None)
    assert view.active_incidents == () and [n.title for n in view.history] == ["API down"]
    assert [n.sid for n in view.maintenance] == [window.sid]
    assert view.groups[0].components[0].state == "down"
    clock.advance(600)  # the window has begun: maintenance, not downtime
    view = await service.visit(page.token, access_key=None, host=None, owner_account=None)
    assert view.groups[0].components[0].state == "maintenance"
    assert view.overall == "maintenance"
    await _rollup(runtime, sid, 0, 0, 3600, 50.0)
    clock.advance(2 * runtime.settings.status_page_cache_seconds)  # past the kept view
    view = await service.visit(page.token, access_key=None, host=None, owner_account=None)
    today = view.groups[0].components[0].days[-1]
    assert today.maintenance_minutes > 0 and today.down_minutes < 60
    await service.add_update(owner, page.token, window.sid, state="completed", message="done")
    view = await service.visit(page.token, access_key=None, host=None, owner_account=None)
    assert view.maintenance == () and view.groups[0].components[0].state == "down"
    notices = await service.list_notices(owner, page.token, PageRequest())
    assert notices.total == 2
    await service.delete_page(owner, page.token)
    with pytest.raises(NotFoundError):
        await service.get_notice(owner, page.token, window.sid)


async def test_published_flag_makes_and_removes_a_one_monitor_page(
    runtime: Runtime, account: CreatedKey
) -> None:
    owner = account.account_sid
    sid = await _monitor(runtime, owner, "site")
    service = runtime.status_pages
    await service.set_published(owner, sid, True)
    await service.set_published(owner, sid, True)  # idempotent
    token = await service.published_token(owner, sid)
    assert token is not None
    view = await service.visit(token, access_key=None, host=None, owner_account=None)
    assert [c.sid for g in view.groups for c in g.components] == [sid]
    await service.set_published(owner, sid, False)
    assert await service.published_token(owner, sid) is None
    other = await runtime.accounts.create_account("other", plan="business")
    with pytest.raises(NotFoundError):
        await service.set_published(other.account_sid, sid, True)
