"""Accounts, plans and API keys.

An API key is a SID (`AK` + 32 hex) and a secret (64 hex). Only an HMAC-SHA256 of the secret
under the server's hashing key is stored: the secret is random, so a keyed fast hash is as
strong as a slow password hash and costs microseconds per request. The single-string form of
a key is SID followed by secret (98 characters, URL-safe).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock
from watchwire.errors import AuthError, ForbiddenError, NotFoundError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.store.database import Connection, Database
from watchwire.store.tables import accounts, api_keys, plans

SCOPES: tuple[str, ...] = (
    "check",
    "dns",
    "ssl",
    "ip",
    "ping",
    "monitors",
    "webhook",
    "rbl",
    "cert",
    "contacts",
    "domains",
)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    title: str
    requests_per_minute: int
    requests_per_day: int
    scopes: frozenset[str]
    max_webhooks: int
    event_types: frozenset[str] | None
    min_interval_seconds: int
    # Monitors an account may hold; None = no cap.
    max_monitors: int | None = None


@dataclass(frozen=True, slots=True)
class Account:
    sid: str
    name: str
    plan: Plan
    created_at: datetime


KeyStatus = Literal["active", "revoked"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as it may be shown: never its secret."""

    sid: str
    name: str
    scopes: tuple[str, ...]
    read_only: bool
    # Normalised CIDRs; empty: any address.
    ip_allowlist: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def status(self) -> KeyStatus:
        return "revoked" if self.revoked_at else "active"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, its account and what the key may do."""

    account_sid: str
    account_name: str
    account_created_at: datetime
    key_sid: str
    plan: Plan
    scopes: frozenset[str]
    read_only: bool
    ip_allowlist: tuple[IPNetwork, ...]

    def allows_ip(self, address: str | None) -> bool:
        if not self.ip_allowlist:
            return True
        if address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.ip_allowlist)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes and scope in self.plan.scopes


@dataclass(frozen=True, slots=True)
class CreatedKey:
    sid: str
    secret: str
    account_sid: str

    @property
    def key(self) -> str:
        return self.sid + self.secret


def parse_ip_allowlist(values: Iterable[str]) -> list[str]:
    """Normalise CIDRs or addresses; raise ValidationError naming the bad entry."""
    networks = []
    for index, value in enumerate(values):
        try:
            networks.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise ValidationError.field(
                f"ip_allowlist[{index}]", "cidr", f"{value!r} is not an IP address or CIDR"
            ) from None
    return networks


# The hot-path statements, built once: constructing a select costs more than running it.
_ACCOUNT_BY_SID = (
    sa.select(accounts.c.sid, accounts.c.name.label("account_name"), accounts.c.created_at, plans)
    .join(plans, plans.c.name == accounts.c.plan)
    .where(accounts.c.sid == sa.bindparam("sid"))
)
_PRINCIPAL_BY_KEY = (
    sa.select(
        api_keys.c.sid,
        api_keys.c.account_sid,
        api_keys.c.secret_hash,
        api_keys.c.scopes,
        api_keys.c.read_only,
        api_keys.c.ip_allowlist,
        api_keys.c.revoked_at,
        accounts.c.name.label("account_name"),
        accounts.c.created_at.label("account_created_at"),
        # Prefixed: the plan's `scopes` and `name` would otherwise shadow the key's.
        *(column.label(f"plan_{column.name}") for column in plans.c),
    )
    .join(accounts, accounts.c.sid == api_keys.c.account_sid)
    .join(plans, plans.c.name == accounts.c.plan)
    .where(api_keys.c.sid == sa.bindparam("sid"))
)


def _plan_from_row(row: Mapping[Any, Any], prefix: str = "") -> Plan:
    event_types = row[prefix + "event_types"]
    return Plan(
        name=row[prefix + "name"],
        title=row[prefix + "title"],
        requests_per_minute=row[prefix + "requests_per_minute"],
        requests_per_day=row[prefix + "requests_per_day"],
        scopes=frozenset(row[prefix + "scopes"]),
        max_webhooks=row[prefix + "max_webhooks"],
        event_types=frozenset(event_types) if event_types is not None else None,
        min_interval_seconds=row[prefix + "min_interval_seconds"],
        max_monitors=row[prefix + "max_monitors"],
    )


def _key(row: Any) -> ApiKey:
    return ApiKey(
        sid=row.sid,
        name=row.name,
        scopes=tuple(row.scopes),
        read_only=bool(row.read_only),
        ip_allowlist=tuple(row.ip_allowlist),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class AccountService:
    def __init__(self, db: Database, hashing_key: bytes, clock: Clock | None = None) -> None:
        self._db = db
        self._hashing_key = hashing_key
        self._clock = clock or SystemClock()

    def _hash(self, secret: str) -> str:
        return hmac.new(self._hashing_key, secret.encode(), hashlib.sha256).hexdigest()

    async def plans(self) -> list[Plan]:
        async with self._db.connect() as conn:
            rows = (await conn.execute(sa.select(plans).order_by(plans.c.requests_per_day))).all()
        return [_plan_from_row(r._mapping) for r in rows]

    async def plan(self, name: str) -> Plan:
        async with self._db.connect() as conn:
            row = (await conn.execute(sa.select(plans).where(plans.c.name == name))).first()
        if row is None:
            known = ", ".join(p.name for p in await self.plans())
            raise ValidationError.field("plan", "enum", f"unknown plan {name!r} (one of {known})")
        return _plan_from_row(row._mapping)

    async def count_accounts(self) -> int:
        async with self._db.connect() as conn:
            return int(
                (await conn.execute(sa.select(sa.func.count()).select_from(accounts))).scalar_one()
            )

    async def create_account(self, name: str, plan: str = "business") -> CreatedKey:
        """Create an account and its first full-access key; the secret is returned only here."""
        if not name.strip():
            raise ValidationError.field("name", "required", "name must not be empty")
        chosen = await self.plan(plan)
        sid = new_sid("account")
        async with self._db.transaction() as conn:
            await conn.execute(
                accounts.insert().values(
                    sid=sid, name=name.strip(), plan=chosen.name, created_at=self._clock.now()
                )
            )
            return await self._insert_key(conn, sid, "default", sorted(chosen.scopes), False, [])

    async def get_account(self, account_sid: str) -> Account:
        async with self._db.connect() as conn:
            row = (await conn.execute(_ACCOUNT_BY_SID, {"sid": account_sid})).first()
        if row is None:
            raise NotFoundError("Resource not found")
        return Account(row.sid, row.account_name, _plan_from_row(row._mapping), row.created_at)

    async def _insert_key(
        self,
        conn: Connection,
        account_sid: str,
        name: str,
        scopes: Sequence[str],
        read_only: bool,
        ip_allowlist: Sequence[str],
    ) -> CreatedKey:
        sid = new_sid("api_key")
        secret = secrets.token_hex(32)
        await conn.execute(
            api_keys.insert().values(
                sid=sid,
                account_sid=account_sid,
                name=name,
                secret_hash=self._hash(secret),
                scopes=list(scopes),
                read_only=read_only,
                ip_allowlist=list(ip_allowlist),
                created_at=self._clock.now(),
            )
        )
        return CreatedKey(sid=sid, secret=secret, account_sid=account_sid)

    async def create_key(
        self,
        account_sid: str,
        *,
        name: str = "",
        scopes: Sequence[str] | None = None,
        read_only: bool = False,
        ip_allowlist: Sequence[str] = (),
        granted_by: frozenset[str] | None = None,
    ) -> tuple[CreatedKey, ApiKey]:
        """Create a key. `granted_by` is the creating key's scopes: a key never grants more
        than the key that created it (None: an operator on the command line)."""
        account = await self.get_account(account_sid)
        allowed = account.plan.scopes
        chosen = sorted(allowed) if scopes is None else list(dict.fromkeys(scopes))
        for index, scope in enumerate(chosen):
            if scope not in SCOPES:
                raise ValidationError.field(
                    f"scopes[{index}]",
                    "enum",
                    f"unknown scope {scope!r} (one of {', '.join(SCOPES)})",
                )
            if scope not in allowed:
                raise ValidationError.field(
                    f"scopes[{index}]",
                    "plan",
                    f"scope {scope!r} is not included in the {account.plan.name} plan",
                )
            if granted_by is not None and scope not in granted_by:
                raise ForbiddenError(f"cannot grant the scope {scope!r}: the calling key lacks it")
        networks = parse_ip_allowlist(ip_allowlist)
        async with self._db.transaction() as conn:
            created = await self._insert_key(
                conn, account_sid, name.strip() or "key", chosen, read_only, networks
            )
        return created, await self.get_key(account_sid, created.sid)

    async def get_key(self, account_sid: str, key_sid: str) -> ApiKey:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(api_keys).where(
                        api_keys.c.sid == key_sid, api_keys.c.account_sid == account_sid
                    )
                )
            ).first()
        if row is None:
            raise NotFoundError("Resource not found")
        return _key(row)

    async def list_keys(self, account_sid: str, page: PageRequest) -> Page[ApiKey]:
        where = api_keys.c.account_sid == account_sid
        async with self._db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(api_keys).where(where))
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(api_keys)
                    .where(where)
                    .order_by(api_keys.c.created_at, api_keys.c.sid)
                    .limit(page.per_page)
                    .offset(page.offset)
                )
            ).all()
        return Page([_key(r) for r in rows], int(total), page)

    async def revoke_key(self, account_sid: str, key_sid: str) -> ApiKey:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                api_keys.update()
                .where(
                    api_keys.c.sid == key_sid,
                    api_keys.c.account_sid == account_sid,
                    api_keys.c.revoked_at.is_(None),
                )
                .values(revoked_at=self._clock.now())
            )
        if result.rowcount == 0:
            await self.get_key(account_sid, key_sid)  # 404 when it is not this account's
        return await self.get_key(account_sid, key_sid)

    async def operator(self, account_sid: str) -> Principal:
        """The principal of an operator working on the database itself (the CLI without a
        key): every scope of the account's plan, no key, no IP allowlist, not read-only.
        NotFoundError when there is no such account."""
        account = await self.get_account(account_sid)
        return Principal(
            account_sid=account.sid,
            account_name=account.name,
            account_created_at=account.created_at,
            key_sid="",
            plan=account.plan,
            scopes=frozenset(account.plan.scopes),
            read_only=False,
            ip_allowlist=(),
        )

    async def authenticate(self, key_sid: str, secret: str) -> Principal:
        """The principal for a credential; AuthError when it is unknown, wrong or revoked."""
        if not is_sid("api_key", key_sid):
            raise AuthError("Invalid or inactive API key")
        row = await self._db.fetch_one(_PRINCIPAL_BY_KEY, {"sid": key_sid})
        if row is None or row["revoked_at"] is not None:
            raise AuthError("Invalid or inactive API key")
        if not hmac.compare_digest(row["secret_hash"], self._hash(secret)):
            raise AuthError("Invalid or inactive API key")
        return _principal(row)

    async def principal_of_key(self, key_sid: str) -> Principal:
        """The principal of a key named by a credential already proven (a signed token the
        key's secret obtained): AuthError when the key is unknown or revoked since."""
        if not is_sid("api_key", key_sid):
            raise AuthError("Invalid or inactive API key")
        row = await self._db.fetch_one(_PRINCIPAL_BY_KEY, {"sid": key_sid})
        if row is None:
            raise AuthError("Invalid or inactive API key")
        if row["revoked_at"] is not None:
            raise AuthError("The API key of this token has been revoked")
        return _principal(row)


def _principal(row: Mapping[str, Any]) -> Principal:
    return Principal(
        account_sid=row["account_sid"],
        account_name=row["account_name"],
        account_created_at=row["account_created_at"],
        key_sid=row["sid"],
        plan=_plan_from_row(row, prefix="plan_"),
        scopes=frozenset(row["scopes"]),
        read_only=bool(row["read_only"]),
        ip_allowlist=tuple(ipaddress.ip_network(n) for n in row["ip_allowlist"]),
    )
