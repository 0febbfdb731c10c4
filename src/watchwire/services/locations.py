"""The location registry: where checks run from (decision 0032).

A location is a code (`fra`, `syd`, `local`) with its place (name, city, country, country
code, coordinates) and its public addresses, which users put in firewall allow-lists (the
addresses checks and webhooks come from). `watchwire serve` alone is one location, the
settings' `location` (default `local`), added when the server starts. Another location is
checked by an agent (`watchwire agent`), which presents the location's agent token.

The registry is global (the operator's, like updown's nodes), not an account's: every
account reads it, only the operator (the CLI on the database) changes it. Adding or removing
a location re-places the monitors that run from every location (placements.py).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import pydantic
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from watchwire.clock import Clock
from watchwire.errors import AuthError, ConflictError, NotFoundError, ValidationError
from watchwire.services import placements
from watchwire.store.database import Database
from watchwire.store.tables_locations import agent_instances, locations
from watchwire.text import SingleLine

CODE_PATTERN = r"^[a-z][a-z0-9-]{1,15}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, description="lower-case, 2-16 characters")]
# Agent tokens: a prefix to recognise them in logs and secret scanners, then 32 random bytes.
TOKEN_PREFIX = "wwa_"
DEFAULT_TIMEOUT_MINUTES = 5


@dataclass(frozen=True, slots=True)
class Location:
    """A location as every face renders it (the agent token is never part of it)."""

    code: str
    name: str
    city: str
    country: str
    country_code: str
    latitude: float | None
    longitude: float | None
    ipv4: str | None
    ipv6: str | None
    # An agent token is set: an agent may check from here.
    has_agent: bool
    timeout_minutes: int
    last_seen_at: datetime | None
    # `agent.timeout` was sent and the agent has not come back yet.
    timed_out: bool
    created_at: datetime
    updated_at: datetime


class LocationFields(BaseModel):
    """What an operator sets on a location (all but `code` may change later)."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: SingleLine = Field(default="", max_length=255)
    city: SingleLine = Field(default="", max_length=255)
    country: SingleLine = Field(default="", max_length=255)
    country_code: str = Field(default="", pattern=r"^([A-Z]{2})?$")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    ipv4: str | None = None
    ipv6: str | None = None
    timeout_minutes: int = Field(default=DEFAULT_TIMEOUT_MINUTES, ge=1, le=1440)

    @pydantic.field_validator("ipv4")
    @classmethod
    def _ipv4(cls, value: str | None) -> str | None:
        if value is not None:
            ipaddress.IPv4Address(value)
        return value

    @pydantic.field_validator("ipv6")
    @classmethod
    def _ipv6(cls, value: str | None) -> str | None:
        if value is not None:
            value = str(ipaddress.IPv6Address(value))
        return value


def parse_fields(raw: dict[str, Any]) -> LocationFields:
    try:
        return LocationFields.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc.errors()) from None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def location_of(row: Any) -> Location:
    return Location(
        code=row.code,
        name=row.name,
        city=row.city,
        country=row.country,
        country_code=row.country_code,
        latitude=row.latitude,
        longitude=row.longitude,
        ipv4=row.ipv4,
        ipv6=row.ipv6,
        has_agent=row.token_hash is not None,
        timeout_minutes=row.timeout_minutes,
        last_seen_at=row.last_seen_at,
        timed_out=row.timed_out,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class LocationService:
    """The registry. `own` is this server's own location code (settings' `location`)."""

    def __init__(self, db: Database, clock: Clock, own: str = "local") -> None:
        self.db = db
        self.clock = clock
        self.own = own

    async def list(self) -> list[Location]:
        """Every location, by code."""
        async with self.db.connect() as conn:
            rows = (await conn.execute(sa.select(locations).order_by(locations.c.code))).all()
        return [location_of(row) for row in rows]

    async def get(self, code: str) -> Location:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(sa.select(locations).where(locations.c.code == code))
            ).one_or_none()
        if row is None:
            raise NotFoundError(f"no location {code!r}", code="not_found")
        return location_of(row)

    async def exists(self, code: str) -> bool:
        async with self.db.connect() as conn:
            found = (
                await conn.execute(sa.select(locations.c.code).where(locations.c.code == code))
            ).one_or_none()
        return found is not None

    async def ensure_own(self) -> Location:
        """Add this server's own location when it is not in the registry yet (the first
        start); an existing row is left as the operator set it."""
        async with self.db.transaction() as conn:
            exists = (
                await conn.execute(sa.select(locations.c.code).where(locations.c.code == self.own))
            ).one_or_none()
            if exists is None:
                now = self.clock.now()
                await conn.execute(
                    locations.insert().values(
                        **parse_fields({"code": self.own, "name": self.own}).model_dump(),
                        token_hash=None,
                        timed_out=False,
                        last_seen_at=None,
                        created_at=now,
                        updated_at=now,
                    )
                )
                await placements.replace_all(conn, self.own, now)
        return await self.get(self.own)

    async def create(
        self, raw: dict[str, Any], *, agent: bool = True
    ) -> tuple[Location, str | None]:
        """Add a location; with `agent`, also its agent token (returned once, kept hashed).
        Monitors that run from every location are placed there too."""
        fields = parse_fields(raw)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32) if agent else None
        now = self.clock.now()
        async with self.db.transaction() as conn:
            exists = (
                await conn.execute(
                    sa.select(locations.c.code).where(locations.c.code == fields.code)
                )
            ).one_or_none()
            if exists is not None:
                raise ConflictError(f"location {fields.code!r} exists", code="location_exists")
            await conn.execute(
                locations.insert().values(
                    **fields.model_dump(),
                    token_hash=hash_token(token) if token else None,
                    timed_out=False,
                    last_seen_at=None,
                    created_at=now,
                    updated_at=now,
                )
            )
            await placements.replace_all(conn, self.own, now)
        return await self.get(fields.code), token

    async def update(self, code: str, raw: dict[str, Any]) -> Location:
        """Change a location's place, addresses or agent timeout (not its code)."""
        current = await self.get(code)
        merged = {
            name: getattr(current, name) for name in LocationFields.model_fields if name != "code"
        }
        merged.update(raw)
        merged["code"] = code
        fields = parse_fields(merged)
        async with self.db.transaction() as conn:
            await conn.execute(
                locations.update()
                .where(locations.c.code == code)
                .values(**fields.model_dump(exclude={"code"}), updated_at=self.clock.now())
            )
        return await self.get(code)

    async def new_token(self, code: str) -> str:
        """A new agent token for `code` (shown once); the previous one stops working."""
        await self.get(code)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        async with self.db.transaction() as conn:
            await conn.execute(
                locations.update()
                .where(locations.c.code == code)
                .values(token_hash=hash_token(token), updated_at=self.clock.now())
            )
        return token

    async def remove(self, code: str) -> Location:
        """Remove a location: its monitors' placements there go, their results stay."""
        if code == self.own:
            raise ValidationError.field(
                "code", "own_location", "this server's own location cannot be removed"
            )
        location = await self.get(code)
        async with self.db.transaction() as conn:
            await conn.execute(locations.delete().where(locations.c.code == code))
            await conn.execute(agent_instances.delete().where(agent_instances.c.location == code))
            await placements.replace_all(conn, self.own, self.clock.now())
        return location

    async def authenticate(self, token: str) -> str:
        """The location whose agent token this is; AuthError for any other string."""
        if not token.startswith(TOKEN_PREFIX):
            raise AuthError("not an agent token", code="unauthorized")
        digest = hash_token(token)
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(locations.c.code, locations.c.token_hash).where(
                        locations.c.token_hash == digest
                    )
                )
            ).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            raise AuthError("unknown agent token", code="unauthorized")
        return str(row.code)
