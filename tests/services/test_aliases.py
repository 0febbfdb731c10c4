"""Stable integer aliases of webhook subscriptions and deliveries (Enterno shows `"id": 12`
and takes `?id=12`): given on creation, shown by the native API, resolved in one place,
never given twice, and filled in by migration 0017, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from watchwire.clock import FrozenClock
from watchwire.engine.retention import Retention, purge
from watchwire.errors import NotFoundError, ValidationError
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.aliases import sid_aliases
from watchwire.store.migrate import _config, upgrade
from watchwire.store.tables_webhooks import deliveries

HOOK = {"url": "http://127.0.0.1:9/hook", "format": "standard"}


async def _hook(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str], name: str
) -> dict[str, object]:
    """A new subscription (the clock moved on a second first: lists are in time order)."""
    assert isinstance(runtime.clock, FrozenClock)
    runtime.clock.advance(1)
    created = await client.post("/v1/webhooks", json={**HOOK, "name": name}, headers=auth)
    assert created.status_code == 201, created.text
    data: dict[str, object] = created.json()["data"]
    return data


async def test_subscriptions_get_aliases_the_api_shows_and_the_resolver_maps(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    first, second = await _hook(runtime, client, auth, "a"), await _hook(runtime, client, auth, "b")
    assert isinstance(first["alias"], int) and isinstance(second["alias"], int)
    assert 0 < first["alias"] < second["alias"]
    listed = (await client.get("/v1/webhooks", headers=auth)).json()["data"]
    assert [(h["sid"], h["alias"]) for h in listed] == [
        (first["sid"], first["alias"]),
        (second["sid"], second["alias"]),
    ]
    shown = (await client.get(f"/v1/webhooks/{first['sid']}", headers=auth)).json()["data"]
    assert shown["alias"] == first["alias"]

    resolver = runtime.aliases
    assert await resolver.sid_of("webhook", int(first["alias"])) == first["sid"]
    assert await resolver.sid_of("webhook", str(second["alias"])) == second["sid"]
    # A webhook's alias names no delivery; nonsense is a 400 naming the parameter.
    with pytest.raises(NotFoundError):
        await resolver.sid_of("delivery", int(first["alias"]))
    with pytest.raises(ValidationError) as bad:
        await resolver.sid_of("webhook", "12abc")
    assert bad.value.details[0]["field"] == "id"
    with pytest.raises(NotFoundError):
        await resolver.sid_of("webhook", 0)

    # Deleted, its alias is not given again.
    deleted = await client.delete(f"/v1/webhooks/{second['sid']}", headers=auth)
    assert deleted.status_code in (200, 204)
    third = await _hook(runtime, client, auth, "c")
    assert int(third["alias"]) > int(second["alias"])  # type: ignore[call-overload]


async def test_deliveries_get_aliases_kept_until_retention_and_never_reused(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str], account: CreatedKey
) -> None:
    hook = await _hook(runtime, client, auth, "a")
    sent = await client.post(f"/v1/webhooks/{hook['sid']}/test", headers=auth)
    assert sent.status_code in (200, 201, 202), sent.text
    delivery_sid = sent.json()["data"]["delivery_id"]
    shown = (await client.get(f"/v1/deliveries/{delivery_sid}", headers=auth)).json()["data"]
    alias = shown["alias"]
    assert isinstance(alias, int) and alias > int(hook["alias"])  # type: ignore[call-overload]
    listed = (await client.get("/v1/deliveries", headers=auth)).json()["data"]
    assert [d["alias"] for d in listed] == [alias]
    assert await runtime.aliases.sid_of("delivery", alias) == delivery_sid
    assert await runtime.aliases.aliases_of([delivery_sid, str(hook["sid"])]) == {
        delivery_sid: alias,
        hook["sid"]: hook["alias"],
    }

    # Finished and past the window: retention takes the delivery and its alias with it.
    async with runtime.db.transaction() as conn:
        await conn.execute(
            deliveries.update().where(deliveries.c.sid == delivery_sid).values(status="delivered")
        )
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(days=31).total_seconds())
    removed = await purge(runtime.db, clock.now(), Retention())
    assert removed["deliveries"] == 1 and removed["delivery_aliases"] == 1
    with pytest.raises(NotFoundError):
        await runtime.aliases.sid_of("delivery", alias)
    # The webhook keeps its alias; the next delivery gets a new one.
    assert await runtime.aliases.sid_of("webhook", int(hook["alias"])) == hook["sid"]  # type: ignore[call-overload]
    again = await client.post(f"/v1/webhooks/{hook['sid']}/test", headers=auth)
    fresh = again.json()["data"]["delivery_id"]
    assert (await runtime.aliases.aliases_of([fresh]))[fresh] > alias


async def test_the_migration_gives_existing_rows_aliases_in_creation_order(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    older = await _hook(runtime, client, auth, "older")
    clock.advance(60)
    newer = await _hook(runtime, client, auth, "newer")
    sent = await client.post(f"/v1/webhooks/{newer['sid']}/test", headers=auth)
    delivery_sid = sent.json()["data"]["delivery_id"]
    async with runtime.db.transaction() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0014"))
    await upgrade(runtime.db)
    async with runtime.db.connect() as conn:
        rows = (await conn.execute(sa.select(sid_aliases).order_by(sid_aliases.c.alias))).all()
    assert [r.sid for r in rows] == [older["sid"], newer["sid"], delivery_sid]


async def test_monitors_get_an_alias_the_first_time_a_face_shows_them(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """`given`: a monitor has no alias until asked, then one that stays, never reused."""
    sids = []
    for name in ("a", "b"):
        made = await client.post(
            "/v1/monitors",
            json={"name": name, "kind": "http", "target": f"http://127.0.0.1:9/{name}"},
            headers=auth,
        )
        assert made.status_code == 201, made.text
        sids.append(made.json()["data"]["sid"])
    assert await runtime.aliases.aliases_of(sids) == {}
    first = await runtime.aliases.given(sids[:1])
    both = await runtime.aliases.given(sids)
    assert both[sids[0]] == first[sids[0]] and both[sids[1]] != both[sids[0]]
    assert await runtime.aliases.given(sids) == both
    assert await runtime.aliases.sid_of("monitor", str(both[sids[1]])) == sids[1]
    with pytest.raises(NotFoundError):
        await runtime.aliases.sid_of("webhook", both[sids[1]])
