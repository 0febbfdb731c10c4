"""Dashboard users: people who sign in to the browser dashboard with an email and a
password, each in one account with one role, and their server-side sessions (decision 0028).

- Passwords are kept as argon2id hashes (argon2-cffi, RFC 9106's parameters); a hash made
  with weaker parameters than today's is replaced at the next sign-in.
- A session is a random 32-byte token in an HttpOnly cookie; the row keeps its SHA-256,
  so a copy of the database signs nobody in. Signing out deletes the row: the cookie is
  dead at once, on every process.
- The CSRF token of a session is an HMAC of its token under the server's hashing key:
  nothing more to store, and a token from another session (or none) does not match.

Roles: an `owner` may do everything, users and API keys included; an `editor` changes
monitors and redelivers; a `viewer` only reads. Faces ask `User.may(...)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItemPerMinute

from watchwire.clock import Clock
from watchwire.errors import AuthError, ConflictError, NotFoundError, ValidationError
from watchwire.ids import new_sid
from watchwire.ratelimit import RateLimiter, Window
from watchwire.store.database import Database
from watchwire.store.tables_users import user_sessions, users

Role = Literal["owner", "editor", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
# What each role may do beyond reading.
Action = Literal["edit", "manage"]
_ALLOWED: dict[Role, frozenset[Action]] = {
    "owner": frozenset({"edit", "manage"}),
    "editor": frozenset({"edit"}),
    "viewer": frozenset(),
}
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is only a cost
SESSION_DAYS = 14
# Sign-in attempts a minute per email: a guesser gets ten, a person who mistypes never
# notices.
SIGN_INS_PER_MINUTE = 10
WRONG = "Wrong email or password"


@dataclass(frozen=True, slots=True)
class User:
    sid: str
    account_sid: str
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None

    def may(self, action: Action) -> bool:
        return action in _ALLOWED[self.role]


@dataclass(frozen=True, slots=True)
class CreatedUser:
    """A new user and its password: shown once when it was made up here."""

    user: User
    password: str
    generated: bool


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie's token (shown once, never stored) and whose it is."""

    token: str
    user: User
    expires_at: datetime


def _user(row: Any) -> User:
    return User(
        sid=row.sid,
        account_sid=row.account_sid,
        email=row.email,
        role=row.role,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


# Every dashboard page reads its session: a statement built once, run by `fetch_one` (on
# SQLite compiled once; decisions/0006). The expiry is judged on the service's clock.
_SESSION_USER = (
    sa.select(
        users.c.sid,
        users.c.account_sid,
        users.c.email,
        users.c.role,
        users.c.created_at,
        users.c.last_login_at,
        user_sessions.c.expires_at,
    )
    .join(user_sessions, user_sessions.c.user_sid == users.c.sid)
    .where(user_sessions.c.token_hash == sa.bindparam("token_hash"))
)


def normal_email(email: str) -> str:
    """The stored form of an address; ValidationError naming `email` when it is none."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if (
        not at
        or not local
        or not domain.strip(".")
        or "@" in domain
        or len(value) > 254
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise ValidationError.field("email", "format", "email: not an email address")
    return value


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError.field(
            "password", "min_length", f"password: at least {MIN_PASSWORD} characters"
        )
    if len(password) > MAX_PASSWORD or "\x00" in password:
        raise ValidationError.field(
            "password", "max_length", f"password: at most {MAX_PASSWORD} characters, no NUL"
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserService:
    def __init__(
        self,
        db: Database,
        hashing_key: bytes,
        clock: Clock,
        *,
        hasher: PasswordHasher | None = None,
        session_days: int = SESSION_DAYS,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._limiter = limiter
        self._attempts = (
            Window(
                RateLimitItemPerMinute(SIGN_INS_PER_MINUTE),
                "sign_in_rate_limited",
                "Too many sign-in attempts for this email: wait a minute",
            ),
        )
        self._db = db
        self._hashing_key = hashing_key
        self._clock = clock
        self._hasher = hasher or PasswordHasher()
        self._session = timedelta(days=session_days)
        # Verified against when the email is unknown, so both answers take as long; made
        # at the first such sign-in (a hash costs tens of ms, and runtimes are built often).
        self._decoy: str | None = None

    async def create_user(
        self, account_sid: str, email: str, role: str, password: str | None = None
    ) -> CreatedUser:
        """A user of the account. Without a password one is made up (and answered once).
        ConflictError (`user_exists`) when the email has a user already."""
        address = normal_email(email)
        if role not in ROLES:
            raise ValidationError.field("role", "enum", f"role: one of {', '.join(ROLES)}")
        generated = password is None
        chosen = secrets.token_urlsafe(15) if password is None else password
        _check_password(chosen)
        hashed = await asyncio.to_thread(self._hasher.hash, chosen)
        sid = new_sid("user")
        async with self._db.transaction() as conn:
            taken = (
                await conn.execute(sa.select(users.c.sid).where(users.c.email == address))
            ).first()
            if taken is not None:
                raise ConflictError(f"a user with the email {address} exists", code="user_exists")
            await conn.execute(
                users.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    email=address,
                    password_hash=hashed,
                    role=role,
                    created_at=self._clock.now(),
                )
            )
            row = (await conn.execute(sa.select(users).where(users.c.sid == sid))).one()
        return CreatedUser(_user(row), chosen, generated)

    async def list_users(self, account_sid: str) -> list[User]:
        async with self._db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(users)
                    .where(users.c.account_sid == account_sid)
                    .order_by(users.c.created_at, users.c.email)
                )
            ).all()
        return [_user(r) for r in rows]

    async def count_users(self) -> int:
        async with self._db.connect() as conn:
            return int(
                (await conn.execute(sa.select(sa.func.count()).select_from(users))).scalar_one()
            )

    async def set_role(self, account_sid: str, sid: str, role: str) -> User:
        """Change a user's role. The last owner of an account stays one (409), so an
        account is never left without somebody who can manage it."""
        if role not in ROLES:
            raise ValidationError.field("role", "enum", f"role: one of {', '.join(ROLES)}")
        async with self._db.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(users).where(users.c.sid == sid, users.c.account_sid == account_sid)
                )
            ).first()
            if row is None:
                raise NotFoundError("User not found")
            if row.role == "owner" and role != "owner":
                owners = (
                    await conn.execute(
                        sa.select(sa.func.count())
                        .select_from(users)
                        .where(users.c.account_sid == account_sid, users.c.role == "owner")
                    )
                ).scalar_one()
                if owners <= 1:
                    raise ConflictError(
                        "the account's last owner stays an owner", code="last_owner"
                    )
            await conn.execute(users.update().where(users.c.sid == sid).values(role=role))
            updated = (await conn.execute(sa.select(users).where(users.c.sid == sid))).one()
        return _user(updated)

    async def sign_in(self, email: str, password: str) -> SignedIn:
        """A new session for the right email and password; AuthError otherwise, the same
        for an unknown email as for a wrong password (and as slow)."""
        try:
            address = normal_email(email)
        except ValidationError:
            address = ""
        if self._limiter is not None:
            await self._limiter.hit("sign-in:" + address, self._attempts)
        async with self._db.connect() as conn:
            row = (await conn.execute(sa.select(users).where(users.c.email == address))).first()
        if row is None and self._decoy is None:
            self._decoy = await asyncio.to_thread(self._hasher.hash, secrets.token_hex(16))
        stored = row.password_hash if row is not None else self._decoy
        assert stored is not None
        if not await asyncio.to_thread(self._verify, stored, password[:MAX_PASSWORD]):
            raise AuthError(WRONG, code="wrong_password")
        assert row is not None  # the decoy matches no password anybody knows
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        expires = now + self._session
        values: dict[str, Any] = {"last_login_at": now}
        if self._hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = await asyncio.to_thread(self._hasher.hash, password)
        async with self._db.transaction() as conn:
            # The user's expired sessions go as a new one comes: the table stays small
            # without a purge loop of its own.
            await conn.execute(
                user_sessions.delete().where(
                    user_sessions.c.user_sid == row.sid, user_sessions.c.expires_at <= now
                )
            )
            await conn.execute(
                user_sessions.insert().values(
                    token_hash=_token_hash(token),
                    user_sid=row.sid,
                    created_at=now,
                    expires_at=expires,
                )
            )
            await conn.execute(users.update().where(users.c.sid == row.sid).values(values))
        return SignedIn(token, replace(_user(row), last_login_at=now), expires)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    async def session_user(self, token: str) -> User | None:
        """The user of a live session; None for an unknown, signed-out or expired one."""
        if not token or len(token) > 128:
            return None
        row = await self._db.fetch_one(_SESSION_USER, {"token_hash": _token_hash(token)})
        if row is None or row["expires_at"] <= self._clock.now():
            return None
        return User(
            sid=row["sid"],
            account_sid=row["account_sid"],
            email=row["email"],
            role=row["role"],
            created_at=row["created_at"],
            last_login_at=row["last_login_at"],
        )

    async def sign_out(self, token: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                user_sessions.delete().where(user_sessions.c.token_hash == _token_hash(token))
            )

    def csrf_token(self, session: str) -> str:
        """The token every form of this session carries (a login form: of its nonce)."""
        return hmac.new(self._hashing_key, b"csrf\0" + session.encode(), "sha256").hexdigest()

    def csrf_matches(self, session: str, presented: str) -> bool:
        return bool(session) and hmac.compare_digest(self.csrf_token(session), presented)
