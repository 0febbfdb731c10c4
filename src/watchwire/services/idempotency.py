"""Idempotency keys: the same key within the TTL replays the stored response; a second
request while the first still runs is a conflict. Kept in the database so the guarantee holds
across API processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from watchwire.clock import Clock
from watchwire.errors import ConflictError
from watchwire.store.database import Database
from watchwire.store.tables import idempotency_keys as keys

IN_PROGRESS = "in_progress"
DONE = "done"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


class IdempotencyService:
    def __init__(self, db: Database, clock: Clock, ttl_seconds: int = 60) -> None:
        self._db = db
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)

    async def begin(self, account: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Claim the key for a new request (None), or return the response to replay.
        Raises ConflictError while the first request runs or for a different request."""
        now = self._clock.now()
        for _ in range(3):
            try:
                async with self._db.transaction() as conn:
                    await conn.execute(
                        keys.delete().where(
                            keys.c.account_sid == account,
                            keys.c.key == key,
                            keys.c.created_at < now - self._ttl,
                        )
                    )
                    await conn.execute(
                        keys.insert().values(
                            account_sid=account,
                            key=key,
                            fingerprint=fingerprint,
                            state=IN_PROGRESS,
                            created_at=now,
                        )
                    )
                return None
            except IntegrityError:
                existing = await self._get(account, key)
                if existing is None:  # expired and deleted meanwhile: claim again
                    continue
                if existing.fingerprint != fingerprint:
                    raise ConflictError(
                        "X-Idempotency-Key was already used for a different request"
                    ) from None
                if existing.state == IN_PROGRESS:
                    raise ConflictError("Idempotent request already in progress") from None
                return StoredResponse(
                    existing.status_code,
                    [(str(h[0]), str(h[1])) for h in existing.response_headers],
                    existing.response_body or b"",
                )
        raise ConflictError("Idempotent request already in progress")

    async def _get(self, account: str, key: str) -> Any:
        async with self._db.connect() as conn:
            return (
                await conn.execute(
                    sa.select(keys).where(keys.c.account_sid == account, keys.c.key == key)
                )
            ).first()

    async def finish(self, account: str, key: str, response: StoredResponse) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                keys.update()
                .where(keys.c.account_sid == account, keys.c.key == key)
                .values(
                    state=DONE,
                    status_code=response.status_code,
                    response_headers=[list(h) for h in response.headers],
                    response_body=response.body,
                )
            )

    async def abandon(self, account: str, key: str) -> None:
        """Forget a claim whose request failed, so the client may retry with the same key."""
        async with self._db.transaction() as conn:
            await conn.execute(
                keys.delete().where(keys.c.account_sid == account, keys.c.key == key)
            )
