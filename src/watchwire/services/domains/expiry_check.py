"""The expiry watch of monitored domains (the `domain expiry` job, daily; also "check now"):
read the registration over RDAP, let engine/evaluate_domains decide whether a threshold of the
account's was crossed, and write the expiry state, its `domain.expiring` event and the end of
the lease in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from watchwire.clock import Clock
from watchwire.config import Settings
from watchwire.engine import leases
from watchwire.engine.evaluate_domains import EXPIRED, evaluate_expiry, expiry_status
from watchwire.errors import ProbeError
from watchwire.events.store import record_event
from watchwire.probes.base import ProbeContext
from watchwire.probes.rdap import rdap
from watchwire.services.domains.queries import settings_of
from watchwire.store.database import Database
from watchwire.store.tables_domains import domain_expiry, monitored_domains

LEASE_SECONDS = 120.0
INTERVAL = timedelta(days=1)
# A registry that did not answer is asked again sooner than the usual interval.
ERROR_RETRY = timedelta(hours=6)


class DomainExpiryJob:
    """The scheduled expiry check of monitored domains (engine/jobs.py's `Job`)."""

    name = "domain expiry"
    table = domain_expiry
    lease_seconds = LEASE_SECONDS
    concurrency = 10

    def __init__(
        self, db: Database, clock: Clock, probe_ctx: ProbeContext, defaults: Settings
    ) -> None:
        self.db = db
        self.clock = clock
        self.probe_ctx = probe_ctx
        self.defaults = defaults

    def _options(self) -> rdap.Options:
        override = self.defaults.rdap_bootstrap_file
        return rdap.Options(bootstrap_file=override if override.exists() else None)

    async def run(self, row: Any, owner: str) -> None:
        """Read one claimed domain's registration over RDAP and announce crossed thresholds."""
        try:
            result = await rdap.probe(row.domain, self._options(), self.probe_ctx)
        except ProbeError as exc:
            result = rdap.Result(
                target=row.domain,
                domain=row.domain,
                outcome="error",
                status="error",
                reason=exc.message,
            )
        now = self.clock.now()
        async with self.db.connect() as conn:
            thresholds = list((await settings_of(conn, row.account_sid, self.defaults)).expiry_days)
            monitored = (
                await conn.execute(
                    sa.select(
                        monitored_domains.c.user_id, monitored_domains.c.contact_groups
                    ).where(monitored_domains.c.sid == row.sid)
                )
            ).first()
        values: dict[str, Any] = {
            "checked_at": now,
            "rdap_server": result.rdap_server,
            "registrar": result.registrar,
            "error": result.reason,
        }
        event: dict[str, Any] | None = None
        if result.days_left is not None and result.expires_at is not None:
            verdict = evaluate_expiry(result.days_left, thresholds, row.bracket)
            values.update(
                status=expiry_status(result.days_left, thresholds),
                expires_at=datetime.fromisoformat(result.expires_at.replace("Z", "+00:00")),
                bracket=verdict.bracket,
                error=None,
            )
            if verdict.event:
                event = {
                    "domain": row.domain,
                    "subdomain": "",
                    "user_id": monitored.user_id if monitored else None,
                    "domain_sid": row.sid,
                    "expires_at": result.expires_at,
                    "days_left": result.days_left,
                    "threshold": verdict.threshold,
                    "expired": verdict.bracket == EXPIRED,
                    "registrar": result.registrar,
                    "rdap_server": result.rdap_server,
                }
            next_run = now + INTERVAL
        else:
            values["status"] = {"unknown": "unknown", "not_found": "not_found"}.get(
                result.status, "error"
            )
            next_run = now + (INTERVAL if values["status"] != "error" else ERROR_RETRY)
        async with self.db.transaction() as conn:
            if not await leases.complete(conn, domain_expiry, row.sid, owner, next_run, **values):
                raise leases.LeaseLost
            if event is None:
                return
            when = "has expired" if event["expired"] else f"expires in {result.days_left} days"
            await record_event(
                conn,
                account_sid=row.account_sid,
                type="domain.expiring",
                description=f"The registration of {row.domain} {when} ({result.expires_at}).",
                payload=event,
                now=now,
                resource_type="domain",
                resource_sid=row.sid,
                contact_groups=list(monitored.contact_groups) if monitored else [],
            )
