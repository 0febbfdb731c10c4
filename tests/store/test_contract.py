"""One storage contract, run against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from watchwire.clock import FrozenClock
from watchwire.services.accounts import AccountService
from watchwire.store.database import Database
from watchwire.store.migrate import head_revisions, is_current, upgrade
from watchwire.store.tables import api_keys, plans


async def test_migrations_are_current_and_idempotent(database: Database) -> None:
    assert await is_current(database)
    assert await upgrade(database) == head_revisions()


async def test_plans_are_data(database: Database) -> None:
    async with database.connect() as conn:
        rows = {r.name: r for r in (await conn.execute(sa.select(plans))).all()}
    assert {"free", "starter", "pro", "business", "unlimited"} <= set(rows)
    assert (rows["free"].requests_per_minute, rows["free"].requests_per_day) == (10, 100)
    assert (rows["pro"].requests_per_minute, rows["pro"].requests_per_day) == (60, 5000)
    assert (rows["business"].requests_per_minute, rows["business"].requests_per_day) == (120, 50000)
    assert rows["free"].event_types == ["monitor.down", "monitor.up", "test"]
    assert [rows[p].max_webhooks for p in ("free", "starter", "pro", "business")] == [1, 5, 20, 50]
    caps = [rows[p].max_monitors for p in ("free", "starter", "pro", "business", "unlimited")]
    assert caps == [10, 50, 200, 1000, None]


async def test_only_a_keyed_hash_of_the_secret_is_stored(
    database: Database, clock: FrozenClock
) -> None:
    service = AccountService(database, b"k1", clock)
    created = await service.create_account("a")
    async with database.connect() as conn:
        row = (await conn.execute(sa.select(api_keys))).one()
    assert created.secret not in str(tuple(row))
    assert len(row.secret_hash) == 64
    # The same secret under another server key does not authenticate.
    other = AccountService(database, b"k2", clock)
    assert (await service.authenticate(created.sid, created.secret)).key_sid == created.sid
    try:
        await other.authenticate(created.sid, created.secret)
        raise AssertionError("authenticated under the wrong hashing key")
    except Exception as exc:
        assert type(exc).__name__ == "AuthError"


async def test_times_round_trip_as_utc(database: Database, clock: FrozenClock) -> None:
    service = AccountService(database, b"k", clock)
    created = await service.create_account("a")
    account = await service.get_account(created.account_sid)
    assert account.created_at == clock.now()
    assert account.created_at.utcoffset() == timedelta(0)


async def test_concurrent_writers_all_commit(database: Database, clock: FrozenClock) -> None:
    """Many tasks writing at once: on SQLite they queue on the write lock instead of
    blocking the loop on the file lock; on PostgreSQL they run in parallel."""
    import asyncio

    service = AccountService(database, b"k", clock)
    created = await asyncio.gather(*(service.create_account(f"a{i}") for i in range(25)))
    assert len({c.account_sid for c in created}) == 25
    assert await service.count_accounts() == 25


async def test_a_failed_transaction_leaves_nothing(database: Database, clock: FrozenClock) -> None:
    service = AccountService(database, b"k", clock)
    try:
        async with database.transaction() as conn:
            await conn.execute(
                sa.insert(plans).values(
                    name="temp",
                    title="t",
                    requests_per_minute=1,
                    requests_per_day=1,
                    scopes=[],
                    max_webhooks=0,
                    event_types=None,
                    min_interval_seconds=60,
                )
            )
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert "temp" not in {p.name for p in await service.plans()}


async def test_fetch_one_decodes_like_a_row_and_sees_each_commit(
    database: Database, clock: FrozenClock
) -> None:
    service = AccountService(database, b"k", clock)
    created = await service.create_account("a", plan="pro")
    query = (
        sa.select(api_keys.c.sid, api_keys.c.scopes, api_keys.c.created_at, plans.c.scopes)
        .join(plans, plans.c.name == "pro")
        .where(api_keys.c.sid == sa.bindparam("sid"))
    )
    async with database.connect() as conn:
        expected = (await conn.execute(query, {"sid": created.sid})).mappings().one()
    found = await database.fetch_one(query, {"sid": created.sid})
    assert found is not None
    # Same names (the repeated `scopes` comes out suffixed), same decoded values.
    assert dict(found) == dict(expected)
    assert isinstance(found["scopes"], list) and found["created_at"].tzinfo is not None
    assert await database.fetch_one(query, {"sid": "AK" + "0" * 32}) is None
    # A revocation committed elsewhere is visible to the very next read.
    await service.revoke_key(created.account_sid, created.sid)
    revoked = await database.fetch_one(
        sa.select(api_keys.c.revoked_at).where(api_keys.c.sid == sa.bindparam("sid")),
        {"sid": created.sid},
    )
    assert revoked is not None and revoked["revoked_at"] is not None


async def test_a_key_is_held_to_its_plan_scopes(database: Database, clock: FrozenClock) -> None:
    service = AccountService(database, b"k", clock)
    created = await service.create_account("a", plan="business")
    principal = await service.authenticate(created.sid, created.secret)
    assert principal.plan.scopes == (await service.plan("business")).scopes
    async with database.transaction() as conn:
        await conn.execute(sa.update(plans).where(plans.c.name == "business").values(scopes=[]))
    # The key's own scopes are unchanged, but the plan no longer grants them.
    narrowed = await service.authenticate(created.sid, created.secret)
    assert narrowed.scopes == principal.scopes and not narrowed.has_scope("dns")
