"""Which lists a check asks and how often: a host's profile (or, for a one-off check, the
account's default profile; with no profile, every active blocklist of the account)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from watchwire.services.rbl.model import (
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    Source,
    account_sources,
    profile_sources,
)
from watchwire.store.database import Connection
from watchwire.store.tables_rbl import rbl_profiles

# Seconds a plan is kept by PlanCache: other processes see a change of sources or profiles
# within this long (their own process forgets at once).
PLAN_TTL = 30.0
MAX_CACHED = 10_000


@dataclass(frozen=True, slots=True)
class Plan:
    sources: list[Source]
    interval: int  # seconds between scheduled checks


async def default_profile(conn: Connection, account_sid: str) -> str | None:
    value: str | None = (
        await conn.execute(
            sa.select(rbl_profiles.c.sid).where(
                rbl_profiles.c.account_sid == account_sid, rbl_profiles.c.is_default.is_(True)
            )
        )
    ).scalar_one_or_none()
    return value


async def read_plan(conn: Connection, account_sid: str, profile_sid: str | None) -> Plan:
    """The lists of `profile_sid` (all the account's blocklists without one), read now."""
    sources = await account_sources(conn, account_sid)
    profile = None
    if profile_sid is not None:
        profile = (
            await conn.execute(sa.select(rbl_profiles).where(rbl_profiles.c.sid == profile_sid))
        ).first()
    if profile is None:
        chosen = [s for s in sources if not s.paused and s.purpose == "block"]
        return Plan(chosen, FREQUENCIES[DEFAULT_FREQUENCY])
    frequency = FREQUENCIES.get(profile.frequency, FREQUENCIES[DEFAULT_FREQUENCY])
    return Plan(profile_sources(profile, sources), frequency)


class PlanCache:
    """Plans read once per PLAN_TTL seconds rather than per host: a sweep of a thousand hosts
    on one profile would otherwise read them a thousand times. The service parts that change
    sources or profiles call `forget` with the account, so this process's next check uses the
    new lists."""

    def __init__(self, ttl: float = PLAN_TTL) -> None:
        self._ttl = ttl
        self._plans: dict[tuple[str, str | None], tuple[float, Plan]] = {}

    def forget(self, account_sid: str) -> None:
        """Drop the plans of an account (its sources or profiles changed)."""
        for key in [k for k in self._plans if k[0] == account_sid]:
            self._plans.pop(key, None)

    async def plan(self, conn: Connection, account_sid: str, profile_sid: str | None) -> Plan:
        key = (account_sid, profile_sid)
        cached = self._plans.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        plan = await read_plan(conn, account_sid, profile_sid)
        if len(self._plans) > MAX_CACHED:
            self._plans.clear()
        self._plans[key] = (time.monotonic() + self._ttl, plan)
        return plan
