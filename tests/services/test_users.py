"""Dashboard users and their sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from watchwire.clock import FrozenClock
from watchwire.errors import AuthError, ConflictError, ValidationError
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.users import UserService
from watchwire.store.tables_users import users as table

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def users(runtime: Runtime, clock: FrozenClock) -> UserService:
    return UserService(runtime.db, b"k" * 32, clock, hasher=CHEAP)


async def test_users_sign_in_and_out(
    users: UserService, account: CreatedKey, clock: FrozenClock
) -> None:
    made = await users.create_user(account.account_sid, " Ann@Acme.Test ", "editor")
    assert made.generated and len(made.password) >= 12 and made.user.email == "ann@acme.test"
    with pytest.raises(ConflictError):
        await users.create_user(account.account_sid, "ANN@acme.test", "viewer", "x" * 12)
    for email, role, password, field in (
        ("not-an-email", "viewer", None, "email"),
        ("bob@acme.test", "admin", None, "role"),
        ("bob@acme.test", "viewer", "short", "password"),
    ):
        with pytest.raises(ValidationError) as caught:
            await users.create_user(account.account_sid, email, role, password)
        assert caught.value.details[0]["field"] == field
    with pytest.raises(AuthError):
        await users.sign_in("ann@acme.test", "wrong password!")
    with pytest.raises(AuthError):
        await users.sign_in("nobody@acme.test", made.password)
    signed = await users.sign_in("ANN@acme.test", made.password)
    assert (await users.session_user(signed.token)) == signed.user
    assert signed.user.may("edit") and not signed.user.may("manage")
    assert await users.session_user(signed.token[:-1] + "x") is None
    assert users.csrf_matches(signed.token, users.csrf_token(signed.token))
    assert not users.csrf_matches(signed.token, users.csrf_token("another"))
    await users.sign_out(signed.token)
    assert await users.session_user(signed.token) is None
    # A session lasts 14 days.
    again = await users.sign_in("ann@acme.test", made.password)
    clock.advance(14 * 86400 + 1)
    assert await users.session_user(again.token) is None


async def test_weaker_hashes_are_replaced_and_the_last_owner_stays(
    runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    weak = UserService(runtime.db, b"k" * 32, clock, hasher=CHEAP)
    owner = await weak.create_user(account.account_sid, "o@acme.test", "owner", "p" * 12)
    stronger = UserService(
        runtime.db,
        b"k" * 32,
        clock,
        hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1),
    )
    await stronger.sign_in("o@acme.test", "p" * 12)
    [row] = await stronger.list_users(account.account_sid)

    async with runtime.db.connect() as conn:
        stored = (await conn.execute(sa.select(table.c.password_hash))).scalar_one()
    assert "m=16,t=2" in stored
    with pytest.raises(ConflictError):
        await stronger.set_role(account.account_sid, owner.user.sid, "viewer")
    second = await stronger.create_user(account.account_sid, "p@acme.test", "owner", "q" * 12)
    assert (await stronger.set_role(account.account_sid, owner.user.sid, "viewer")).role == "viewer"
    assert second.user.role == "owner" and row.sid == owner.user.sid


async def test_the_first_start_makes_an_owner_beside_the_key(runtime: Runtime) -> None:
    made = await runtime.bootstrap()
    assert made is not None and made.owner.generated
    assert made.owner.user.email == "admin@localhost" and made.owner.user.role == "owner"
    assert made.owner.user.account_sid == made.key.account_sid
    signed = await runtime.users.sign_in("admin@localhost", made.owner.password)
    assert signed.user.sid == made.owner.user.sid
    assert await runtime.bootstrap() is None  # only on the first start
