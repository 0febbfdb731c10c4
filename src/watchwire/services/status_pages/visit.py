"""A visit of a status page: who may see it, and the `PageView` it shows.

Uptime, day bars and response times come from the hourly rollups (engine/rollup.py's
table), never from raw results: 90 days of a component are at most 2,160 rows. Only uptime
monitors have rollups; certificate monitors, domains and blocklist hosts show their current
state, with no uptime figures (None) and no chart. An hour under a maintenance window of
the component counts its downtime as maintenance, outside the uptime figures.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from watchwire.clock import Clock, SystemClock
from watchwire.errors import ForbiddenError, NotFoundError
from watchwire.services.status_pages.arrange import arrange, maintenance_windows
from watchwire.services.status_pages.queries import read_notices
from watchwire.services.status_pages.records import hash_key
from watchwire.services.status_pages.uptime import DAYS, hour_floor, hourly_totals, summed_totals
from watchwire.services.status_pages.view import (
    ComponentState,
    PageView,
)
from watchwire.store.database import Connection, Database
from watchwire.store.tables_certs import cert_monitors
from watchwire.store.tables_domains import monitored_domains
from watchwire.store.tables_engine import monitors
from watchwire.store.tables_rbl import rbl_hosts
from watchwire.store.tables_status import status_notices, status_pages


class AccessDeniedError(ForbiddenError):
    """A protected page asked for without its access key (or with a wrong one)."""

    code = "access_denied"


log = logging.getLogger(__name__)

# Pages whose views are kept at once, least recently computed dropped first.
CACHED_PAGES = 1000

# Built once: a visit served from the kept view costs one indexed read, and building and
# keying a statement per visit was a fifth of that visit's CPU.
_ACCESS = sa.select(
    status_pages.c.token,
    status_pages.c.account_sid,
    status_pages.c.visibility,
    status_pages.c.access_key_hash,
).where(status_pages.c.token == sa.bindparam("token"))
_PAGE = sa.select(status_pages).where(status_pages.c.token == sa.bindparam("token"))


class StatusPageVisits:
    """Visits, with each page's view kept for `cache_seconds` (0: computed every time): a
    crowd on a big page costs one computation per period, not one per visitor. Once that
    time is up the kept view is still answered for as long again while one computation runs
    in the background (stale while revalidating), so no visitor waits for it; older than
    that, a view is computed before answering. Who may see the page is checked on every
    visit all the same."""

    def __init__(
        self, db: Database, clock: Clock | None = None, *, cache_seconds: float = 0.0
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._cache_for = timedelta(seconds=cache_seconds)
        self._cache: OrderedDict[str, tuple[datetime, PageView]] = OrderedDict()
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        # Bumped by every change of a page: a computation begun before it is not kept.
        self._generation: dict[str, int] = defaultdict(int)

    def forget(self, token: str) -> None:
        """Drop the kept view of `token` (its page or notices changed)."""
        self._cache.pop(token, None)
        self._generation[token] += 1

    async def _cached_view(self, conn: Connection, token: str) -> PageView:
        now = self._clock.now()
        kept = self._cache.get(token) if self._cache_for else None
        if kept is None or now >= kept[0] + self._cache_for:
            return await self._compute(conn, token)
        if now >= kept[0] and token not in self._refreshing:
            self._refreshing[token] = asyncio.create_task(self._refresh(token))
        return kept[1]

    async def _compute(self, conn: Connection, token: str) -> PageView:
        generation = self._generation[token]
        # The whole row (its components' JSON) only here: a visit served from the kept view
        # reads just the columns that say who may see it.
        row = (await conn.execute(_PAGE, {"token": token})).first()
        if row is None:  # deleted since the visit's access check
            raise NotFoundError("Resource not found")
        view = await self._view(conn, row)
        if self._cache_for and generation == self._generation[token]:
            self._cache[token] = (self._clock.now() + self._cache_for, view)
            self._cache.move_to_end(token)
            while len(self._cache) > CACHED_PAGES:
                self._cache.popitem(last=False)
        return view

    async def _refresh(self, token: str) -> None:
        try:
            async with self._db.connect() as conn:
                await self._compute(conn, token)
        except Exception:  # the next visit computes it in the foreground and says why
            log.exception("status page %s: refreshing its view failed", token)
        finally:
            self._refreshing.pop(token, None)

    async def by_domain(self, host: str) -> str:
        """The token of the page served at custom domain `host` (port and case ignored)."""
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        async with self._db.connect() as conn:
            token = (
                await conn.execute(
                    sa.select(status_pages.c.token).where(
                        status_pages.c.custom_domain == name.lower().rstrip(".")
                    )
                )
            ).scalar()
        if token is None:
            raise NotFoundError("Resource not found")
        return str(token)

    async def visit(
        self,
        token: str | None,
        *,
        access_key: str | None = None,
        host: str | None = None,
        owner_account: str | None = None,
    ) -> PageView:
        """The page as a visitor sees it now. No `token` (None or empty) with a `host` is the page
        served at that custom domain (`by_domain`); a page with a custom domain is served
        at its token as well.

        Raises NotFoundError for an unknown token, a private page seen by anyone but its
        owner (a private page's existence is not disclosed); AccessDeniedError for a protected page
        without its key (the owner needs none)."""
        if not token and host:
            token = await self.by_domain(host)
        async with self._db.connect() as conn:
            row = (await conn.execute(_ACCESS, {"token": token})).first()
            if row is None:
                raise NotFoundError("Resource not found")
            owner = owner_account is not None and owner_account == row.account_sid
            if row.visibility == "private" and not owner:
                raise NotFoundError("Resource not found")
            if row.visibility == "protected" and not owner:
                given = hash_key(access_key) if access_key else ""
                if not hmac.compare_digest(given, row.access_key_hash or "x"):
                    raise AccessDeniedError(
                        "this status page needs its access key", code="access_denied"
                    )
            return await self._cached_view(conn, row.token)

    async def _view(self, conn: Connection, row: Any) -> PageView:
        now = self._clock.now()
        since = now - timedelta(days=DAYS)
        notices, _ = await read_notices(
            conn,
            sa.and_(
                status_notices.c.page_token == row.token,
                sa.or_(
                    status_notices.c.starts_at >= since,
                    status_notices.c.ends_at.is_(None),
                    status_notices.c.ends_at >= since,
                    status_notices.c.state.notin_(("resolved", "completed")),
                ),
            ),
        )
        windows = maintenance_windows(notices, now)
        components = [(c["sid"], c.get("group")) for c in row.components]
        states = await component_states(conn, [sid for sid, _ in components])
        monitor_sids = [sid for sid, _ in components if sid.startswith("MO")]
        start = hour_floor(since)
        totals = await summed_totals(
            self._db, [s for s in monitor_sids if s not in windows], start, now
        )
        for sid in monitor_sids:
            if sid in windows:
                totals[sid] = await hourly_totals(conn, sid, start, windows[sid], now)
        # The rest is arithmetic over what was read: off the loop too (a few hundred ms
        # of a 200-component page).
        return await asyncio.to_thread(
            arrange, row, notices, components, states, totals, windows, now, since
        )


async def component_states(
    conn: Connection, sids: Sequence[str]
) -> dict[str, tuple[str, ComponentState, datetime | None]]:
    """Name, current state and last check of each component, one query per kind."""
    result: dict[str, tuple[str, ComponentState, datetime | None]] = {}
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for sid in sids:
        by_prefix[sid[:2]].append(sid)
    if by_prefix["MO"]:
        for r in await conn.execute(
            sa.select(
                monitors.c.sid,
                monitors.c.name,
                monitors.c.state,
                monitors.c.paused,
                monitors.c.last_checked_at,
            ).where(monitors.c.sid.in_(by_prefix["MO"]))
        ):
            state = "unknown" if r.paused or r.state not in ("up", "down", "degraded") else r.state
            result[r.sid] = (r.name, cast(ComponentState, state), r.last_checked_at)
    if by_prefix["CM"]:
        for r in await conn.execute(
            sa.select(
                cert_monitors.c.sid,
                cert_monitors.c.name,
                cert_monitors.c.errors,
                cert_monitors.c.paused,
                cert_monitors.c.last_checked_at,
            ).where(cert_monitors.c.sid.in_(by_prefix["CM"]))
        ):
            cert: ComponentState = (
                "unknown" if r.paused or r.last_checked_at is None else "down" if r.errors else "up"
            )
            result[r.sid] = (r.name, cert, r.last_checked_at)
    if by_prefix["DM"]:
        for r in await conn.execute(
            sa.select(
                monitored_domains.c.sid,
                monitored_domains.c.domain,
                monitored_domains.c.state,
                monitored_domains.c.paused,
                monitored_domains.c.last_checked_at,
            ).where(monitored_domains.c.sid.in_(by_prefix["DM"]))
        ):
            domain: ComponentState = (
                "unknown"
                if r.paused or r.state == "pending"
                else "up"
                if r.state == "ok"
                else "down"
                if r.state == "missing"
                else "degraded"
            )
            result[r.sid] = (r.domain, domain, r.last_checked_at)
    if by_prefix["HT"]:
        for r in await conn.execute(
            sa.select(
                rbl_hosts.c.sid,
                rbl_hosts.c.name,
                rbl_hosts.c.host,
                rbl_hosts.c.paused,
                rbl_hosts.c.listed_count,
                rbl_hosts.c.last_checked,
            ).where(rbl_hosts.c.sid.in_(by_prefix["HT"]))
        ):
            listed: ComponentState = (
                "unknown"
                if r.paused or r.last_checked is None
                else "down"
                if r.listed_count
                else "up"
            )
            result[r.sid] = (r.name or r.host, listed, r.last_checked)
    return result
