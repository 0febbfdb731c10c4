"""Callback deliveries: the result of a manual blocklist check POSTed to the `callback` URL
given when it was started (003's "Start Check"). A callback is one more recipient of the
check's `rbl.host.check.completed` event (target_type `callback`, target_sid the `PP…`
check), delivered and retried like a webhook, in the Generator Labs format and signed with
`X-Webhook-Signature` under the secret returned when the check was started.

Callbacks do not count toward any endpoint's health: there is no subscription to warn about
or disable.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from watchwire.delivery.webhook import Subscription
from watchwire.store.database import Connection
from watchwire.store.tables_rbl import rbl_checks

FORMAT = "generatorlabs"


async def load_targets(conn: Connection, sids: Collection[str]) -> dict[str, Any]:
    """The check rows (URL and secret) of callback deliveries, by check SID."""
    if not sids:
        return {}
    query = sa.select(
        rbl_checks.c.sid, rbl_checks.c.callback_url, rbl_checks.c.callback_secret
    ).where(rbl_checks.c.sid.in_(list(sids)))
    return {row.sid: row for row in (await conn.execute(query)).all()}


def subscription(row: Any) -> Subscription | None:
    """What the webhook sender needs to deliver a callback (None: the check is gone)."""
    if row is None or not row.callback_url or not row.callback_secret:
        return None
    return Subscription(
        sid=row.sid, url=row.callback_url, format=FORMAT, secrets=(row.callback_secret,)
    )
