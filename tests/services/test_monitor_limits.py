"""One monitor per kind and target in an account unless a duplicate is asked for, and no
more monitors than the plan allows: on SQLite and PostgreSQL, through the service and in
the native API's envelope."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from watchwire.errors import ConflictError, LimitError
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.store.tables import plans

SITE = {"kind": "http", "target": "https://shop.example/health"}


async def _create(runtime: Runtime, account: str, **fields: Any) -> str:
    created = await runtime.monitors.create(account, fields, min_interval=30)
    return created.sid


async def _cap(runtime: Runtime, plan: str, limit: int | None) -> None:
    async with runtime.db.transaction() as conn:
        await conn.execute(plans.update().where(plans.c.name == plan).values(max_monitors=limit))


async def test_a_second_monitor_of_a_kind_and_target_is_refused_unless_asked_for(
    runtime: Runtime, account: CreatedKey
) -> None:
    sid = account.account_sid
    first = await _create(runtime, sid, **SITE)
    with pytest.raises(ConflictError) as refused:
        await _create(runtime, sid, **SITE, name="again")
    assert refused.value.code == "monitor_exists" and refused.value.status == 409
    assert SITE["target"] in refused.value.message and "allow_duplicate" in refused.value.message
    assert refused.value.details == {"sid": first, "field": "target"}

    await _create(runtime, sid, **SITE, allow_duplicate=True)
    await _create(runtime, sid, kind="headers", target=SITE["target"])  # another kind
    other = await runtime.accounts.create_account("other")
    await _create(runtime, other.account_sid, **SITE)  # another account
    # Heartbeats are named by their SID: two never collide.
    await _create(runtime, sid, kind="heartbeat")
    await _create(runtime, sid, kind="heartbeat")


async def test_changing_the_target_to_a_taken_one_is_refused_unless_asked_for(
    runtime: Runtime, account: CreatedKey
) -> None:
    sid = account.account_sid
    await _create(runtime, sid, **SITE)
    moved = await _create(runtime, sid, kind="http", target="https://shop.example/")
    with pytest.raises(ConflictError):
        await runtime.monitors.update(sid, moved, {"target": SITE["target"]}, min_interval=30)
    renamed = await runtime.monitors.update(sid, moved, {"name": "x"}, min_interval=30)
    assert renamed.target == "https://shop.example/"  # its own target is no duplicate
    changes = {"target": SITE["target"], "allow_duplicate": True}
    assert (await runtime.monitors.update(sid, moved, changes, min_interval=30)).target == (
        SITE["target"]
    )


async def test_the_plan_caps_the_number_of_monitors(runtime: Runtime, account: CreatedKey) -> None:
    sid = account.account_sid
    await _cap(runtime, "business", 3)
    made = [await _create(runtime, sid, kind="tcp", target=f"127.0.0.1:{port}") for port in (1, 2)]
    await _create(runtime, sid, kind="heartbeat")
    with pytest.raises(LimitError) as refused:
        await _create(runtime, sid, kind="tcp", target="127.0.0.1:3")
    assert refused.value.code == "monitor_limit_reached" and refused.value.status == 403
    assert "allows 3 monitors" in refused.value.message
    await runtime.monitors.delete(sid, made[0])
    await _create(runtime, sid, kind="tcp", target="127.0.0.1:3")
    await _cap(runtime, "business", None)  # no cap
    await _create(runtime, sid, kind="tcp", target="127.0.0.1:4")


async def test_creations_at_once_cannot_pass_the_cap_or_duplicate(
    runtime: Runtime, account: CreatedKey
) -> None:
    sid = account.account_sid
    await _cap(runtime, "business", 4)
    same = await asyncio.gather(
        *(_create(runtime, sid, **SITE) for _ in range(3)), return_exceptions=True
    )
    assert sum(isinstance(r, str) for r in same) == 1
    assert all(isinstance(r, ConflictError) for r in same if not isinstance(r, str))
    many = await asyncio.gather(
        *(_create(runtime, sid, kind="tcp", target=f"127.0.0.1:{p}") for p in range(1, 7)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, str) for r in many) == 3
    assert all(isinstance(r, LimitError) for r in many if not isinstance(r, str))
    async with runtime.db.connect() as conn:
        count = (await conn.execute(sa.text("SELECT count(*) FROM monitors"))).scalar_one()
    assert count == 4


async def test_the_api_answers_409_and_403_in_its_envelope(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert (await client.post("/v1/monitors", json=SITE, headers=auth)).status_code == 201
    again = await client.post("/v1/monitors", json=SITE, headers=auth)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "monitor_exists" and "already exists" in error["message"]
    twin = await client.post("/v1/monitors", json={**SITE, "allow_duplicate": True}, headers=auth)
    assert twin.status_code == 201 and "allow_duplicate" not in twin.json()["data"]

    account = (await client.get("/v1/account", headers=auth)).json()["data"]
    assert account["plan"]["max_monitors"] == 1000
    await _cap(runtime, "business", 2)
    full = await client.post("/v1/monitors", json={"kind": "heartbeat"}, headers=auth)
    assert full.status_code == 403
    assert full.json()["error"]["code"] == "monitor_limit_reached"
