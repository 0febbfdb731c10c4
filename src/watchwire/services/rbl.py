"""Blocklist monitoring (003's RBL "Hosts", "Monitoring Profiles", "Sources", "Listings" and
"Check"): the rules, for every face.

- A host is one address or domain. A subnet (CIDR) or range creates one host per address
  (at most 256), each with `type: ip_range` and `parent` = the text given.
- A profile says which lists are checked and how often (003's `1_hour … 2_weeks`).
  `stay_in_sync` follows the catalogue (and the account's custom sources); giving `entries`
  makes it `use_my_selections`, which needs at least one entry. One profile per account is
  the default: the first one, or the last one marked so. A host named without a profile
  gets the default, created (`Default`, stay in sync, every 24 hours) when there is none.
- Sources: the built-in catalogue (stable SIDs, shared) and the account's custom sources.
  Catalogue sources can be paused per account, not changed or deleted.
- A manual check is written as a `pending` row and run by the job (engine/rbl_job.py); its
  `PP…` id comes back at once, its callback is delivered through the outbox.

Every call is scoped to an account: another account's row is "not found".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.delivery import signing
from watchwire.delivery.webhook import url_problem
from watchwire.engine import rbl_job
from watchwire.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.pagination import Page, PageRequest
from watchwire.probes._rbl_query import (
    expand_hosts,
    names_several_hosts,
    normalise_domain,
    parse_target,
)
from watchwire.probes.base import ProbeContext
from watchwire.services.contacts import resolve_groups
from watchwire.services.rbl_model import (
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    SOURCE_TYPES,
    SYNC_METHODS,
    Source,
    account_sources,
    host_json,
    iso,
    profile_json,
    profile_sources,
)
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import (
    rbl_checks,
    rbl_hosts,
    rbl_paused_sources,
    rbl_profiles,
    rbl_sources,
)
from watchwire.text import refuse_control_characters

HOST_CAP = 256
_HOST_FIELDS = frozenset({"host", "name", "profile", "contact_groups", "tags"})
_PROFILE_FIELDS = frozenset({"name", "entries", "is_default", "frequency", "sync_method"})
_SOURCE_FIELDS = frozenset({"host", "type", "custom_codes"})


def split_list(value: Any, field: str) -> list[str] | None:
    """A list given as a JSON array or as 003's comma-separated string (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ValidationError.field(field, "type", f"{field} must be a list of strings")


def _unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    for name in fields:
        if name not in allowed:
            raise ValidationError.field(name, "unknown", f"unknown field {name!r}")


def _name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 255:
        raise ValidationError.field(field, "length", f"{field} must be 1 to 255 characters")
    return refuse_control_characters(value.strip(), field)


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ValidationError.field(field, "type", f"{field} must be true or false")


def _choice(value: Any, field: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValidationError.field(field, "enum", f"{field} must be one of {', '.join(allowed)}")
    return str(value)


def _tags(value: Any) -> list[str]:
    tags = split_list(value, "tags") or []
    if len(tags) > 50 or any(len(t) > 64 for t in tags):
        raise ValidationError.field("tags", "length", "at most 50 tags of 64 characters")
    for index, tag in enumerate(tags):
        refuse_control_characters(tag, f"tags.{index}")
    return list(dict.fromkeys(tags))


def _custom_codes(value: Any) -> list[str]:
    codes = split_list(value, "custom_codes") or []
    checked = []
    for index, code in enumerate(codes):
        try:
            address = ipaddress.IPv4Address(code)
        except ValueError:
            address = None
        if address is None or not address.is_loopback:
            raise ValidationError.field(
                f"custom_codes[{index}]", "format", f"{code!r} is not a 127.0.0.0/8 address"
            )
        checked.append(str(address))
    return list(dict.fromkeys(checked))


def _zone(value: Any) -> str:
    try:
        return normalise_domain(refuse_control_characters(str(value or ""), "host"))
    except ValueError as exc:
        raise ValidationError.field("host", "format", str(exc)) from exc


class RblService:
    def __init__(
        self, db: Database, clock: Clock, probe_ctx: ProbeContext, *, allow_http: bool = False
    ) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx
        # Callback URLs may be plain http when the operator allows it for webhooks.
        self._allow_http = allow_http

    # -- sources ---------------------------------------------------------------------------

    async def list_sources(self, account_sid: str, page: PageRequest) -> Page[dict[str, Any]]:
        async with self.db.connect() as conn:
            sources = await account_sources(conn, account_sid)
        items = [s.to_json() for s in sources]
        return Page(items[page.offset : page.offset + page.per_page], len(items), page)

    async def _source(self, conn: Connection, account_sid: str, sid: str) -> Source:
        for source in await account_sources(conn, account_sid):
            if source.sid == sid:
                return source
        raise NotFoundError("RBL source not found")

    async def get_source(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return (await self._source(conn, account_sid, sid)).to_json()

    async def create_source(self, account_sid: str, fields: dict[str, Any]) -> dict[str, Any]:
        _unknown(fields, _SOURCE_FIELDS)
        zone = _zone(fields.get("host"))
        kind = _choice(fields.get("type"), "type", SOURCE_TYPES)
        codes = _custom_codes(fields.get("custom_codes"))
        sid = new_sid("rbl_source")
        async with self.db.transaction() as conn:
            await conn.execute(
                rbl_sources.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    host=zone,
                    type=kind,
                    custom_codes=codes,
                    paused=False,
                    created_at=self.clock.now(),
                )
            )
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)

    async def _custom(self, conn: Connection, account_sid: str, sid: str, verb: str) -> Source:
        source = await self._source(conn, account_sid, sid)
        if not source.custom:
            raise ForbiddenError(
                f"catalogue sources cannot be {verb}; pause it, or add a custom source",
                code="catalog_source",
            )
        return source

    async def update_source(
        self, account_sid: str, sid: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        _unknown(fields, _SOURCE_FIELDS)
        values: dict[str, Any] = {}
        if "host" in fields:
            values["host"] = _zone(fields["host"])
        if "type" in fields:
            values["type"] = _choice(fields["type"], "type", SOURCE_TYPES)
        if "custom_codes" in fields:
            values["custom_codes"] = _custom_codes(fields["custom_codes"])
        async with self.db.transaction() as conn:
            await self._custom(conn, account_sid, sid, "changed")
            if values:
                await conn.execute(
                    rbl_sources.update().where(rbl_sources.c.sid == sid).values(values)
                )
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)

    async def delete_source(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            shown = (await self._custom(conn, account_sid, sid, "deleted")).to_json()
            await conn.execute(rbl_sources.delete().where(rbl_sources.c.sid == sid))
            # Profiles that selected it stop naming it.
            rows = (
                await conn.execute(
                    sa.select(rbl_profiles.c.sid, rbl_profiles.c.entries).where(
                        rbl_profiles.c.account_sid == account_sid
                    )
                )
            ).all()
            for row in rows:
                if sid in row.entries:
                    entries = [e for e in row.entries if e != sid]
                    await conn.execute(
                        rbl_profiles.update()
                        .where(rbl_profiles.c.sid == row.sid)
                        .values(entries=entries)
                    )
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return shown

    async def set_source_paused(self, account_sid: str, sid: str, paused: bool) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            source = await self._source(conn, account_sid, sid)
            if source.custom:
                await conn.execute(
                    rbl_sources.update().where(rbl_sources.c.sid == sid).values(paused=paused)
                )
            else:
                where = (
                    rbl_paused_sources.c.account_sid == account_sid,
                    rbl_paused_sources.c.source_sid == sid,
                )
                await conn.execute(rbl_paused_sources.delete().where(*where))
                if paused:
                    await conn.execute(
                        rbl_paused_sources.insert().values(
                            account_sid=account_sid, source_sid=sid, created_at=self.clock.now()
                        )
                    )
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return await self.get_source(account_sid, sid)

    # -- profiles --------------------------------------------------------------------------

    async def _profile_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                sa.select(rbl_profiles).where(
                    rbl_profiles.c.sid == sid, rbl_profiles.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError("Monitoring profile not found")
        return row

    async def get_profile(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return profile_json(await self._profile_row(conn, account_sid, sid))

    async def list_profiles(self, account_sid: str, page: PageRequest) -> Page[dict[str, Any]]:
        where = rbl_profiles.c.account_sid == account_sid
        async with self.db.connect() as conn:
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(rbl_profiles).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(rbl_profiles)
                    .where(where)
                    .order_by(rbl_profiles.c.created_at, rbl_profiles.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([profile_json(r) for r in rows], int(total), page)

    async def _profile_values(
        self, conn: Connection, account_sid: str, fields: dict[str, Any], current: Any | None
    ) -> dict[str, Any]:
        """The columns of a profile after `fields`, with 003's sync_method rules applied."""
        _unknown(fields, _PROFILE_FIELDS)
        values: dict[str, Any] = {}
        if "name" in fields or current is None:
            values["name"] = _name(fields.get("name"))
        if "frequency" in fields or current is None:
            frequency = fields.get("frequency", DEFAULT_FREQUENCY)
            values["frequency"] = _choice(frequency, "frequency", list(FREQUENCIES))
        entries = split_list(fields.get("entries"), "entries")
        method = fields.get("sync_method")
        if method is not None:
            method = _choice(method, "sync_method", SYNC_METHODS)
        if entries:
            known = {s.sid for s in await account_sources(conn, account_sid)}
            for index, sid in enumerate(entries):
                if sid not in known:
                    raise ValidationError.field(
                        f"entries[{index}]", "not_found", f"no such RBL source: {sid}"
                    )
            values["entries"] = list(dict.fromkeys(entries))
            method = "use_my_selections"  # 003: set automatically when entries are given
        elif entries is not None:
            values["entries"] = []
        if method is not None or current is None:
            values["sync_method"] = method or "stay_in_sync"
        chosen = values.get("entries", current.entries if current is not None else [])
        if values.get("sync_method", getattr(current, "sync_method", None)) == "use_my_selections":
            if not chosen:
                raise ValidationError.field(
                    "entries", "required", "use_my_selections needs at least one entry"
                )
        if "is_default" in fields:
            values["is_default"] = _bool(fields["is_default"], "is_default")
        return values

    async def _clear_default(self, conn: Connection, account_sid: str) -> None:
        await conn.execute(
            rbl_profiles.update()
            .where(rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True))
            .values(is_default=False)
        )

    async def _has_default(self, conn: Connection, account_sid: str) -> bool:
        found = (
            await conn.execute(
                sa.select(rbl_profiles.c.sid).where(
                    rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True)
                )
            )
        ).first()
        return found is not None

    async def _insert_profile(
        self, conn: Connection, account_sid: str, values: dict[str, Any]
    ) -> str:
        now = self.clock.now()
        is_default = values.pop("is_default", False) or not await self._has_default(
            conn, account_sid
        )
        if is_default:
            await self._clear_default(conn, account_sid)
        sid = new_sid("rbl_profile")
        await conn.execute(
            rbl_profiles.insert().values(
                sid=sid,
                account_sid=account_sid,
                is_default=is_default,
                created_at=now,
                updated_at=now,
                **{"entries": [], **values},
            )
        )
        return sid

    async def create_profile(self, account_sid: str, fields: dict[str, Any]) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            values = await self._profile_values(conn, account_sid, fields, None)
            sid = await self._insert_profile(conn, account_sid, values)
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return await self.get_profile(account_sid, sid)

    async def update_profile(
        self, account_sid: str, sid: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            values = await self._profile_values(conn, account_sid, fields, row)
            if values.get("is_default") is True:
                await self._clear_default(conn, account_sid)
            elif values.get("is_default") is False and row.is_default:
                raise ValidationError.field(
                    "is_default", "required", "mark another profile default instead"
                )
            values["updated_at"] = self.clock.now()
            await conn.execute(
                rbl_profiles.update().where(rbl_profiles.c.sid == sid).values(values)
            )
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return await self.get_profile(account_sid, sid)

    async def delete_profile(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            row = await self._profile_row(conn, account_sid, sid)
            used = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(rbl_hosts)
                    .where(rbl_hosts.c.profile_sid == sid)
                )
            ).scalar_one()
            if used:
                raise ConflictError(
                    f"the profile is used by {used} host(s): move them to another profile first",
                    code="profile_in_use",
                )
            await conn.execute(rbl_profiles.delete().where(rbl_profiles.c.sid == sid))
        rbl_job.forget(account_sid)  # checks use the new lists from now
        return profile_json(row)

    async def _host_profile(self, conn: Connection, account_sid: str, sid: str | None) -> str:
        """The profile a host uses: the one named (the account's), else the default."""
        if sid is not None:
            if not isinstance(sid, str) or not is_sid("rbl_profile", sid):
                raise ValidationError.field("profile", "format", "profile must be an RP… SID")
            found = (
                await conn.execute(
                    sa.select(rbl_profiles.c.sid).where(
                        rbl_profiles.c.sid == sid, rbl_profiles.c.account_sid == account_sid
                    )
                )
            ).first()
            if found is None:
                raise ValidationError.field("profile", "not_found", f"no such profile: {sid}")
            return sid
        default = await rbl_job.default_profile(conn, account_sid)
        if default is not None:
            return default
        values = {"name": "Default", "frequency": DEFAULT_FREQUENCY, "sync_method": "stay_in_sync"}
        return await self._insert_profile(conn, account_sid, values)

    # -- hosts -----------------------------------------------------------------------------

    async def _host_row(self, conn: Connection, account_sid: str, sid: str) -> Any:
        row = (
            await conn.execute(
                sa.select(rbl_hosts).where(
                    rbl_hosts.c.sid == sid, rbl_hosts.c.account_sid == account_sid
                )
            )
        ).first()
        if row is None:
            raise NotFoundError("Host not found")
        return row

    async def get_host(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return host_json(await self._host_row(conn, account_sid, sid), self.clock.now())

    async def get_hosts(self, account_sid: str, sids: Sequence[str]) -> list[dict[str, Any]]:
        """Several hosts at once (the Go SDK's `?ids=`); unknown SIDs are left out."""
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(rbl_hosts)
                    .where(rbl_hosts.c.account_sid == account_sid, rbl_hosts.c.sid.in_(list(sids)))
                    .order_by(rbl_hosts.c.created_at, rbl_hosts.c.sid)
                )
            ).all()
        now = self.clock.now()
        return [host_json(r, now) for r in rows]

    async def list_hosts(
        self, account_sid: str, page: PageRequest, *, listed_only: bool = False
    ) -> tuple[Page[dict[str, Any]], int]:
        """A page of hosts (only listed ones for 003's Listings) and how many are listed."""
        mine = rbl_hosts.c.account_sid == account_sid
        listed = rbl_hosts.c.listed_count > 0
        where = [mine, listed] if listed_only else [mine]
        async with self.db.connect() as conn:
            total = (
                await conn.execute(sa.select(sa.func.count()).select_from(rbl_hosts).where(*where))
            ).scalar_one()
            total_listed = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(rbl_hosts).where(mine, listed)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(rbl_hosts)
                    .where(*where)
                    .order_by(rbl_hosts.c.created_at, rbl_hosts.c.sid)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        now = self.clock.now()
        return Page([host_json(r, now) for r in rows], int(total), page), int(total_listed)

    async def create_hosts(self, account_sid: str, fields: dict[str, Any]) -> list[dict[str, Any]]:
        """Create one host, or one per address of a subnet or range; returns them all."""
        _unknown(fields, _HOST_FIELDS)
        text = fields.get("host")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError.field("host", "required", "host is required")
        refuse_control_characters(text.strip(), "host")
        try:
            values = expand_hosts(text, cap=HOST_CAP)
        except ValueError as exc:
            raise ValidationError.field("host", "format", str(exc)) from exc
        several = names_several_hosts(text.strip())
        name = _name(fields["name"]) if "name" in fields else None
        tags = _tags(fields.get("tags"))
        groups = split_list(fields.get("contact_groups"), "contact_groups")
        now = self.clock.now()
        rows: list[dict[str, Any]] = []
        async with self.db.transaction() as conn:
            profile = await self._host_profile(conn, account_sid, fields.get("profile"))
            resolved = await resolve_groups(conn, account_sid, groups)
            existing = set(
                (
                    await conn.execute(
                        sa.select(rbl_hosts.c.host).where(
                            rbl_hosts.c.account_sid == account_sid, rbl_hosts.c.host.in_(values)
                        )
                    )
                ).scalars()
            )
            if existing:
                raise ConflictError(
                    f"already monitored: {', '.join(sorted(existing)[:5])}", code="host_exists"
                )
            for position, value in enumerate(values):
                target_type = parse_target(value).type
                rows.append(
                    {
                        "sid": new_sid("rbl_host"),
                        "account_sid": account_sid,
                        "host": value,
                        "name": name or value,
                        "type": "ip_range" if several else target_type,
                        "target_type": target_type,
                        "parent": text.strip() if several else None,
                        "profile_sid": profile,
                        "contact_groups": resolved,
                        "tags": tags,
                        "paused": False,
                        "listings": {},
                        "listed_count": 0,
                        "next_run_at": now,
                        # A microsecond apart: lists keep a subnet's hosts in address order.
                        "created_at": now + timedelta(microseconds=position),
                        "updated_at": now,
                    }
                )
            await conn.execute(rbl_hosts.insert(), rows)
        return await self.get_hosts(account_sid, [r["sid"] for r in rows])

    async def update_host(
        self, account_sid: str, sid: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        _unknown(fields, _HOST_FIELDS - {"host"})
        values: dict[str, Any] = {"updated_at": self.clock.now()}
        if "name" in fields:
            values["name"] = _name(fields["name"])
        if "tags" in fields:
            values["tags"] = _tags(fields["tags"])
        async with self.db.transaction() as conn:
            await self._host_row(conn, account_sid, sid)
            if "profile" in fields:
                values["profile_sid"] = await self._host_profile(
                    conn, account_sid, fields["profile"]
                )
            if "contact_groups" in fields:
                groups = split_list(fields["contact_groups"], "contact_groups") or []
                values["contact_groups"] = await resolve_groups(conn, account_sid, groups)
            await conn.execute(rbl_hosts.update().where(rbl_hosts.c.sid == sid).values(values))
        return await self.get_host(account_sid, sid)

    async def delete_host(self, account_sid: str, sid: str) -> dict[str, Any]:
        async with self.db.transaction() as conn:
            shown = host_json(await self._host_row(conn, account_sid, sid), self.clock.now())
            await conn.execute(rbl_hosts.delete().where(rbl_hosts.c.sid == sid))
        return shown

    async def set_host_paused(self, account_sid: str, sid: str, paused: bool) -> dict[str, Any]:
        now = self.clock.now()
        values: dict[str, Any] = {"paused": paused, "updated_at": now}
        async with self.db.transaction() as conn:
            row = await self._host_row(conn, account_sid, sid)
            if not paused and row.paused:
                values["next_run_at"] = now  # resumed: check it again now
            await conn.execute(rbl_hosts.update().where(rbl_hosts.c.sid == sid).values(values))
        return await self.get_host(account_sid, sid)

    async def check_host_now(self, account_sid: str, sid: str) -> dict[str, Any]:
        """Check a host in this call, through the scheduled job's own path; its fresh state."""
        async with self.db.connect() as conn:
            await self._host_row(conn, account_sid, sid)
        if not await rbl_job.check_host_now(self, sid):
            raise ConflictError("a check of this host is running now", code="check_running")
        return await self.get_host(account_sid, sid)

    # -- manual checks ---------------------------------------------------------------------

    async def _check_target(
        self, conn: Connection, account_sid: str, value: str
    ) -> tuple[Any, str, str]:
        """(the account's host row or None, the host value, its target type)."""
        if is_sid("rbl_host", value):
            row = await self._host_row(conn, account_sid, value)
            return row, row.host, row.target_type
        try:
            target = parse_target(value)
        except ValueError as exc:
            raise ValidationError.field("host", "format", str(exc)) from exc
        row = (
            await conn.execute(
                sa.select(rbl_hosts).where(
                    rbl_hosts.c.account_sid == account_sid, rbl_hosts.c.host == target.value
                )
            )
        ).first()
        return row, target.value, target.type

    async def start_check(
        self, account_sid: str, *, host: Any, callback: str | None = None, details: bool = False
    ) -> dict[str, Any]:
        """Queue a manual check; returns its `PP…` id at once (and the callback's signing
        secret, shown only here)."""
        if not isinstance(host, str) or not host.strip():
            raise ValidationError.field("host", "required", "host is required")
        refuse_control_characters(host.strip(), "host")
        if callback is not None:
            if not isinstance(callback, str):
                raise ValidationError.field("callback", "type", "callback must be a URL")
            problem = url_problem(callback, self.probe_ctx.policy, self._allow_http)
            if problem:
                raise ValidationError.field("callback", "format", problem)
        now = self.clock.now()
        sid = new_sid("rbl_check")
        secret = signing.new_secret() if callback else None
        async with self.db.transaction() as conn:
            row, value, target_type = await self._check_target(conn, account_sid, host.strip())
            await conn.execute(
                rbl_checks.insert().values(
                    sid=sid,
                    account_sid=account_sid,
                    host_sid=row.sid if row is not None else None,
                    host=value,
                    target_type=target_type,
                    callback_url=callback,
                    callback_secret=secret,
                    status="pending",
                    paused=False,
                    next_run_at=now,
                    created_at=now,
                )
            )
            sources = await self._check_sources(conn, account_sid, row)
        answer: dict[str, Any] = {
            "id": sid,
            "status": "pending",
            "host": value,
            "host_id": row.sid if row is not None else None,
            "callback": callback,
            "callback_secret": secret,
            "created_at": iso(now),
        }
        if details:
            answer["rbls"] = [
                {"id": s.sid, "type": s.type, "custom": s.custom, "host": s.zone}
                for s in sources
                if s.type == target_type
            ]
        return answer

    async def _check_sources(self, conn: Connection, account_sid: str, host: Any) -> list[Source]:
        sources = await account_sources(conn, account_sid)
        profile_sid = host.profile_sid if host is not None else None
        if profile_sid is None:
            profile_sid = await rbl_job.default_profile(conn, account_sid)
        if profile_sid is None:
            return [s for s in sources if not s.paused and s.purpose == "block"]
        profile = (
            await conn.execute(sa.select(rbl_profiles).where(rbl_profiles.c.sid == profile_sid))
        ).one()
        return profile_sources(profile, sources)

    async def get_check(
        self, account_sid: str, sid: str, *, details: bool = False
    ) -> dict[str, Any]:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(rbl_checks).where(
                        rbl_checks.c.sid == sid, rbl_checks.c.account_sid == account_sid
                    )
                )
            ).first()
        if row is None:
            raise NotFoundError("Check not found")
        result = row.result or {}
        answer: dict[str, Any] = {
            "id": row.sid,
            "status": row.status,
            "host": row.host,
            "host_id": row.host_sid,
            "listed": result.get("listed"),
            "listed_count": result.get("listed_count"),
            "checked_count": result.get("checked_count", 0),
            "total_count": result.get("total_count", 0),
            "error": row.error,
            "callback": row.callback_url,
            "created_at": iso(row.created_at),
            "completed_at": iso(row.completed_at),
        }
        if details:
            answer["details"] = result.get("details", [])
        return answer
