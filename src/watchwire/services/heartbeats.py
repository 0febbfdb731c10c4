"""Heartbeat monitors' pings: receiving them (the public ping face, no API key) and listing
them (the native API).

A ping is written on its monitor's own columns and as a `heartbeat_pings` row, and makes the
monitor due at once; the engine then judges it like any other monitor (engine/kinds/
heartbeat.py), so states, events, downtimes, metrics and notifications are the common ones.
An unknown token is "not found" and nothing else; pings are rate-limited per monitor.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from limits import RateLimitItemPerMinute

from watchwire.clock import Clock, as_utc
from watchwire.engine.kinds import heartbeat
from watchwire.errors import NotFoundError
from watchwire.pagination import Page, PageRequest
from watchwire.ratelimit import RateLimiter, Window
from watchwire.services.monitor_records import Ping, ping_of
from watchwire.store.database import Connection, Database
from watchwire.store.tables_engine import heartbeat_pings, monitors

PingKind = Literal["success", "start", "fail"]

# Bytes of a ping's body that are kept; the rest is read and dropped (Healthchecks keeps
# 10,000 bytes the same way: a long log is cut, the ping still counts).
BODY_LIMIT = 10_000
TOKEN_BYTES = 24  # 32 URL-safe characters
MAX_TOKEN_LENGTH = 64
NOT_FOUND = "Not found"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def schedule(options: dict[str, Any], interval: int, anchor: datetime) -> dict[str, Any]:
    """The columns of a heartbeat whose wait for a ping begins at `anchor`: due (for the
    engine's missed-ping verdict) once its period and grace have passed."""
    grace = heartbeat.grace_of(options)
    return {
        "ping_anchor_at": anchor,
        "next_run_at": anchor + timedelta(seconds=interval + grace),
    }


@dataclass(frozen=True, slots=True)
class PingRequest:
    """What the face read from a ping: its kind, method, the first `BODY_LIMIT` bytes of
    the body and the body's whole size, where it came from."""

    kind: PingKind
    method: str
    head: bytes
    body_bytes: int
    remote_addr: str | None = None
    user_agent: str | None = None


def _text(head: bytes) -> str:
    # NUL is no text (and PostgreSQL refuses it); a cut multi-byte character is replaced.
    return head[:BODY_LIMIT].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


class HeartbeatService:
    def __init__(
        self, db: Database, clock: Clock, limiter: RateLimiter, *, per_minute: int = 60
    ) -> None:
        self._db = db
        self._clock = clock
        self._limiter = limiter
        self._windows = (
            Window(
                RateLimitItemPerMinute(per_minute),
                "rate_limit_exceeded",
                f"Rate limit exceeded: {per_minute} pings a minute per monitor",
            ),
        )

    async def _by_token(self, conn: Connection, token: str, *, lock: bool = False) -> Any:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise NotFoundError(NOT_FOUND)
        query = sa.select(monitors.c.sid, monitors.c.kind, monitors.c.ping_started_at).where(
            monitors.c.ping_token == token
        )
        if lock and self._db.dialect == "postgresql":
            # A `/start` and its end arriving together: the end must see the start.
            query = query.with_for_update()
        row = (await conn.execute(query)).first()
        if row is None or row.kind != heartbeat.KIND.name:
            raise NotFoundError(NOT_FOUND)
        return row

    async def ping(self, token: str, request: PingRequest) -> str:
        """Record a ping; answers its UUID. NotFoundError for a token no monitor has (the
        same error whatever the token); RateLimitedError past the monitor's budget."""
        async with self._db.connect() as conn:
            found = await self._by_token(conn, token)
        await self._limiter.hit(f"pulse:{found.sid}", self._windows)
        now = self._clock.now()
        ping_id = str(uuid.uuid4())
        async with self._db.transaction() as conn:
            row = await self._by_token(conn, token, lock=True)  # deleted meanwhile: 404
            started = as_utc(row.ping_started_at)
            duration = None
            if request.kind != "start" and started is not None and started <= now:
                duration = round((now - started).total_seconds() * 1000, 3)
            await conn.execute(
                heartbeat_pings.insert().values(
                    id=ping_id,
                    monitor_sid=row.sid,
                    received_at=now,
                    kind=request.kind,
                    method=request.method[:8],
                    body=_text(request.head),
                    body_bytes=request.body_bytes,
                    truncated=request.body_bytes > BODY_LIMIT,
                    remote_addr=(request.remote_addr or None) and request.remote_addr[:64],
                    user_agent=(request.user_agent or None) and request.user_agent[:255],
                    duration_ms=duration,
                )
            )
            moved = self._moved(request, now, duration)
            await conn.execute(monitors.update().where(monitors.c.sid == row.sid).values(moved))
        return ping_id

    @staticmethod
    def _moved(request: PingRequest, now: datetime, duration: float | None) -> dict[str, Any]:
        """A `/start` opens a run; a success or failure ends it, becomes the anchor of the
        next wait and makes the monitor due now, for the engine to judge."""
        if request.kind == "start":
            return {"ping_started_at": now}
        return {
            "last_ping_at": now,
            "last_ping_kind": request.kind,
            "last_ping_ms": duration,
            "ping_started_at": None,
            "ping_anchor_at": now,
            "next_run_at": now,
        }

    async def pings(self, account_sid: str, sid: str, page: PageRequest) -> Page[Ping]:
        """The monitor's pings, newest first, with their bodies (NotFoundError: no such
        monitor in the account; other kinds have none)."""
        where = heartbeat_pings.c.monitor_sid == sid
        async with self._db.connect() as conn:
            owned = (
                await conn.execute(
                    sa.select(monitors.c.sid).where(
                        monitors.c.sid == sid, monitors.c.account_sid == account_sid
                    )
                )
            ).first()
            if owned is None:
                raise NotFoundError("Monitor not found")
            total = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(heartbeat_pings).where(where)
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    sa.select(heartbeat_pings)
                    .where(where)
                    .order_by(heartbeat_pings.c.received_at.desc(), heartbeat_pings.c.id)
                    .offset(page.offset)
                    .limit(page.per_page)
                )
            ).all()
        return Page([ping_of(r) for r in rows], int(total), page)
