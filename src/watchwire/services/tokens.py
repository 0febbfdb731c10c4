"""Access tokens for the Entri Monitor dialect (seed 002, GAPS.md): `POST /token` trades an
API key's SID (002's `applicationId`) and secret for a JWT valid 60 minutes, which every
other request presents with the same `applicationId` (decision 0023).

Tokens are HS256 JWTs naming their signing key in the `kid` header. A signing key is
HMAC-SHA256 of a random seed kept in `token_signing_keys` under the server's hashing key:
it survives restarts and is shared by every process on the database, and a copy of the
database alone cannot mint tokens. `rotate` starts a new key; the old one still verifies
the tokens it signed for a grace period, then nothing.

Each verification reads the key again (a revoked key's token stops working at once); the
signing keys are cached for `KEY_CACHE_SECONDS`, so a rotation made by another process is
seen within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import sqlalchemy as sa

from watchwire.clock import Clock, as_utc, isoformat
from watchwire.errors import AuthError, ForbiddenError, ValidationError
from watchwire.services.accounts import AccountService, Principal
from watchwire.store.database import Database
from watchwire.store.tables_tokens import token_signing_keys

TOKEN_LIFETIME = timedelta(minutes=60)
DEFAULT_GRACE = timedelta(minutes=60)
KEY_CACHE_SECONDS = 30.0
ALGORITHM = "HS256"
ISSUER = "watchwire"
AUDIENCE = "entri-monitor"
# A token issued a little "in the future" is another process's clock, not a forgery.
CLOCK_SKEW = 60
_KID = re.compile(r"[0-9a-f]{32}")
_REQUIRED = ["exp", "iat", "sub", "iss", "aud"]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    principal: Principal
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A signing key as it may be shown (never its seed): `accepted_until` None while it is
    the one signing new tokens."""

    kid: str
    created_at: datetime
    accepted_until: datetime | None


@dataclass(frozen=True, slots=True)
class _Cached:
    secret: bytes
    accepted_until: datetime | None
    read_at: float


def _invalid(message: str) -> AuthError:
    return AuthError(message, code="invalid_token")


class TokenService:
    def __init__(
        self, db: Database, hashing_key: bytes, clock: Clock, accounts: AccountService
    ) -> None:
        self._db = db
        self._hashing_key = hashing_key
        self._clock = clock
        self._accounts = accounts
        self._keys: dict[str, _Cached] = {}

    def _secret(self, seed: str) -> bytes:
        return hmac.new(
            self._hashing_key, b"watchwire token signing key\x00" + seed.encode(), hashlib.sha256
        ).digest()

    # -- keys -------------------------------------------------------------------------------

    async def _current(self) -> tuple[str, bytes]:
        """The key signing new tokens (the newest one not retired), made on first use."""
        query = (
            sa.select(token_signing_keys)
            .where(token_signing_keys.c.accepted_until.is_(None))
            .order_by(token_signing_keys.c.created_at.desc(), token_signing_keys.c.kid)
            .limit(1)
        )
        async with self._db.transaction() as conn:
            row = (await conn.execute(query)).first()
            if row is not None:
                return row.kid, self._secret(row.seed)
            kid, seed = secrets.token_hex(16), secrets.token_hex(32)
            await conn.execute(
                token_signing_keys.insert().values(
                    kid=kid, seed=seed, created_at=self._clock.now(), accepted_until=None
                )
            )
        return kid, self._secret(seed)

    async def _key(self, kid: str) -> _Cached | None:
        cached = self._keys.get(kid)
        if cached is not None and self._clock.monotonic() - cached.read_at < KEY_CACHE_SECONDS:
            return cached
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(token_signing_keys).where(token_signing_keys.c.kid == kid)
                )
            ).first()
        if row is None:
            self._keys.pop(kid, None)
            return None
        fresh = _Cached(self._secret(row.seed), as_utc(row.accepted_until), self._clock.monotonic())
        self._keys[kid] = fresh
        return fresh

    async def rotate(self, grace: timedelta = DEFAULT_GRACE) -> list[SigningKey]:
        """Start a new signing key; the keys signing until now verify their tokens for
        `grace` more (0: at once no more). Keys past their grace are deleted. Returns every
        key kept, the new one first."""
        if grace < timedelta(0):
            raise ValidationError.field("grace", "minimum", "grace must be 0 or more seconds")
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await conn.execute(
                token_signing_keys.delete().where(token_signing_keys.c.accepted_until <= now)
            )
            await conn.execute(
                token_signing_keys.update()
                .where(token_signing_keys.c.accepted_until.is_(None))
                .values(accepted_until=now + grace)
            )
            await conn.execute(
                token_signing_keys.insert().values(
                    kid=secrets.token_hex(16),
                    seed=secrets.token_hex(32),
                    created_at=now,
                    accepted_until=None,
                )
            )
            rows = (await conn.execute(sa.select(token_signing_keys))).all()
        self._keys.clear()
        kept = [SigningKey(r.kid, as_utc(r.created_at), as_utc(r.accepted_until)) for r in rows]
        # The signing key first, then the retired ones, latest grace first.
        return sorted(kept, key=lambda k: (k.accepted_until is not None, -_epoch(k)))

    # -- tokens -----------------------------------------------------------------------------

    async def issue(
        self, application_id: str, secret: str, client_ip: str | None = None
    ) -> IssuedToken:
        """A token for the key `application_id` whose secret is `secret`; AuthError (401)
        when they do not name an active key, ForbiddenError (403) when the key's IP
        allowlist leaves `client_ip` out."""
        try:
            principal = await self._accounts.authenticate(application_id, secret)
        except AuthError:
            raise AuthError(
                "Unknown or revoked applicationId, or a wrong secret",
                code="invalid_credentials",
            ) from None
        if not principal.allows_ip(client_ip):
            raise ForbiddenError(
                f"IP address restriction: {client_ip} is not allowed to use this key",
                code="ip_restricted",
            )
        kid, key = await self._current()
        now = int(self._clock.now().timestamp())
        expires = now + int(TOKEN_LIFETIME.total_seconds())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": principal.key_sid,
            "iat": now,
            "exp": expires,
            "jti": secrets.token_hex(16),
        }
        token = jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})
        return IssuedToken(token, principal, _at(expires))

    async def verify(self, application_id: str, token: str) -> Principal:
        """The principal of a token presented with `application_id`. AuthError (401) when
        the token is malformed, forged, signed by an unknown or retired key, expired,
        issued to another application, or its key has been revoked since."""
        claims = await self._claims(token)
        now = self._clock.now().timestamp()
        expires, issued = claims["exp"], claims["iat"]
        if not isinstance(expires, int) or not isinstance(issued, int):
            raise _invalid("The token's exp and iat must be whole seconds")
        if now >= expires:
            when = isoformat(_at(expires))
            raise _invalid(f"The token expired at {when}; request a new one with POST /token")
        if issued > now + CLOCK_SKEW:
            raise _invalid("The token was issued in the future")
        if claims["sub"] != application_id:
            raise _invalid("The token was issued to another application than applicationId")
        return await self._accounts.principal_of_key(str(claims["sub"]))

    async def _claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid("The token is not a JWT") from None
        kid = header.get("kid")
        found = await self._key(kid) if isinstance(kid, str) and _KID.fullmatch(kid) else None
        if found is None:
            raise _invalid("The token was not signed by this server")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                found.secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                # Expiry is judged on the service's clock below (tests control it).
                options={"verify_exp": False, "verify_iat": False, "require": _REQUIRED},
            )
        except jwt.InvalidSignatureError:
            raise _invalid("The token's signature is not valid") from None
        except jwt.PyJWTError as exc:
            raise _invalid(f"The token is not a valid access token: {exc}") from None
        # Judged once the signature holds: a forger learns nothing about our keys.
        if found.accepted_until is not None and self._clock.now() >= found.accepted_until:
            raise _invalid("The token was signed by a retired key; request a new one")
        return claims


def _at(seconds: int) -> datetime:
    """A JWT's NumericDate as a UTC time."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def _epoch(key: SigningKey) -> float:
    return (key.accepted_until or key.created_at).timestamp()
