"""Manual blocklist checks (003's "Check"): a check is written as a `pending` row and run by
the `rbl_checks` job (checker.py); its `PP…` id comes back at once, its callback is delivered
through the outbox."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.delivery import signing
from watchwire.delivery.webhook import url_problem
from watchwire.errors import NotFoundError, ValidationError
from watchwire.ids import is_sid, new_sid
from watchwire.probes.base import ProbeContext
from watchwire.probes.rbl.query import parse_target
from watchwire.services.rbl.hosts import host_row
from watchwire.services.rbl.plans import default_profile, read_plan
from watchwire.services.rbl.records import RblCheck, RblCheckStarted, check_record
from watchwire.store.database import Connection, Database
from watchwire.store.tables_rbl import rbl_checks, rbl_hosts
from watchwire.text import refuse_control_characters


class RblChecks:
    """The manual checks part of the blocklist service (services/rbl/service.py)."""

    db: Database
    clock: Clock
    probe_ctx: ProbeContext
    allow_http: bool

    async def _check_target(
        self, conn: Connection, account_sid: str, value: str
    ) -> tuple[Any, str, str]:
        """(the account's host row or None, the host value, its target type)."""
        if is_sid("rbl_host", value):
            row = await host_row(conn, account_sid, value)
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
    ) -> RblCheckStarted:
        """Queue a manual check; returns its `PP…` id at once (and the callback's signing
        secret, shown only here)."""
        if not isinstance(host, str) or not host.strip():
            raise ValidationError.field("host", "required", "host is required")
        refuse_control_characters(host.strip(), "host")
        if callback is not None:
            if not isinstance(callback, str):
                raise ValidationError.field("callback", "type", "callback must be a URL")
            problem = url_problem(callback, self.probe_ctx.policy, self.allow_http)
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
            profile = row.profile_sid if row is not None else None
            if profile is None:
                profile = await default_profile(conn, account_sid)
            plan = await read_plan(conn, account_sid, profile)
        sources = None
        if details:
            sources = tuple(s for s in plan.sources if s.type == target_type)
        return RblCheckStarted(
            sid=sid,
            status="pending",
            host=value,
            host_sid=row.sid if row is not None else None,
            callback_url=callback,
            callback_secret=secret,
            created_at=now,
            sources=sources,
        )

    async def get_check(self, account_sid: str, sid: str, *, details: bool = False) -> RblCheck:
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
        return check_record(row, details=details)
