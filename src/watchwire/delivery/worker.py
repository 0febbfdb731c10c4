"""The delivery worker: claims due deliveries, attempts them, records every attempt.

    1. Claim due rows with a lease (delivery/claims.py), at most as many as there are free
       slots, skipping endpoints that already have their share in flight; claim again as
       soon as a finished attempt makes room (an endpoint drops below its share, a quarter
       of the slots frees up), else every poll interval.
    2. Attempt each one under its endpoint's semaphore: a webhook POST (delivery/webhook.py)
       or a contact's channel (delivery/channels). The global bound on rows in hand and the
       per-endpoint bound keep one slow endpoint from delaying the others.
    3. Record the outcome only after the attempt finished, guarded by the lease, in batches
       (delivery/outcomes.py): `delivered`, `failed` (permanently refused), `retrying` with
       the next time from the schedule (delivery/schedule.py, or the receiver's Retry-After),
       or `dead` after the last try.
    4. Count consecutive failures per webhook endpoint and per contact (with when the run
       began and its last error: the `failing` view); for a webhook, warn the account's
       default contact group at the configured counts (10, 100, 900) and disable the
       endpoint at 1000.

A process killed at any point loses nothing: the rows it held come due again when their
leases expire. watchwire/background.py builds one per `serve` and `worker` process from the
settings, the database, the clock and the target policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watchwire import logs
from watchwire.clock import Clock
from watchwire.delivery import callbacks, channels, outcomes
from watchwire.delivery.claims import Claim, claim_due, release
from watchwire.delivery.outcomes import Outcome
from watchwire.delivery.webhook import AttemptResult, Subscription, WebhookSender
from watchwire.errors import UnavailableError
from watchwire.store.database import Database
from watchwire.target_policy import TargetPolicy

if TYPE_CHECKING:
    from watchwire.config import Settings

log = logging.getLogger(__name__)

# Seconds the writer waits after the first finished attempt for others to join its batch:
# at 1,000 deliveries/s one write of ~20 outcomes instead of four of ~5.
WRITE_GATHER = 0.02


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    concurrency: int = 64
    per_endpoint: int = 8
    timeout: float = 10.0
    max_attempts: int = 25
    warn_after: tuple[int, ...] = (10, 100, 900)
    disable_after: int = 1000
    allow_http: bool = False
    poll_interval: float = 0.25
    # A lease covers one attempt, a wait behind the endpoint's other attempts, and the write.
    lease_margin: float = 30.0
    # On stop, attempts in flight get this long to finish before they are cancelled.
    grace: float = 3.0

    @property
    def lease_seconds(self) -> float:
        return 2 * self.timeout + self.lease_margin

    @classmethod
    def from_settings(cls, settings: Settings, concurrency: int = 64) -> WorkerOptions:
        return cls(
            concurrency=concurrency,
            per_endpoint=settings.delivery_per_endpoint_concurrency,
            timeout=settings.delivery_timeout_seconds,
            max_attempts=settings.delivery_max_attempts,
            warn_after=tuple(settings.delivery_warn_after),
            disable_after=settings.delivery_disable_after,
            allow_http=settings.webhook_allow_http or settings.allow_private_targets,
            grace=settings.stop_grace_seconds,
        )


def signing_secrets(row: Any, now: datetime) -> tuple[str, ...]:
    """The current secret, and the rotated one while its grace period lasts."""
    expires = row.previous_secret_expires_at
    if row.previous_secret and expires is not None:
        if (expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)) > now:
            return (row.secret, row.previous_secret)
    return (row.secret,)


@dataclass
class DeliveryWorker:
    db: Database
    clock: Clock
    options: WorkerOptions
    policy: TargetPolicy
    channel_ctx: channels.ChannelContext
    owner: str = field(default_factory=lambda: f"{os.getpid()}-{secrets.token_hex(4)}")
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.sender = WebhookSender(
            self.policy,
            timeout=self.options.timeout,
            allow_http=self.options.allow_http,
            limit=self.options.concurrency,
        )
        self._in_hand: Counter[str] = Counter()
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._done: list[Outcome] = []
        self._written = asyncio.Event()

    # -- the loop ------------------------------------------------------------------------

    async def claim(self) -> list[Claim]:
        busy = [t for t, n in self._in_hand.items() if n >= self.options.per_endpoint]
        free = self.options.concurrency - sum(self._in_hand.values())
        claimed = await claim_due(
            self.db,
            self.owner,
            self.clock.now(),
            limit=free,
            lease_seconds=self.options.lease_seconds,
            per_target=self.options.per_endpoint,
            busy=busy,
        )
        for item in claimed:
            self._in_hand[item.target_sid] += 1
        return claimed

    async def run_once(self) -> int:
        """Claim what is due now, attempt it, record the outcomes; return how many."""
        claimed = await self.claim()
        await asyncio.gather(*(self.process(item) for item in claimed))
        await self.flush()
        return len(claimed)

    async def flush(self) -> int:
        """Write every finished attempt's outcome; return how many were written. While the
        database is unavailable the outcomes are kept for the next flush (the leases are
        still ours), so a delivery that was made is not made again."""
        batch, self._done = self._done, []
        try:
            return await outcomes.write(
                self.db,
                self.owner,
                batch,
                max_attempts=self.options.max_attempts,
                health=outcomes.Health(self.options.warn_after, self.options.disable_after),
                rng=self.rng,
            )
        except UnavailableError:
            self._done[:0] = batch
            raise

    async def _writer(self, stop: asyncio.Event) -> None:
        while not stop.is_set() or self._done:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._written.wait(), self.options.poll_interval)
            # Let the attempts finishing alongside join the batch: a write's cost is mostly
            # per transaction, and on SQLite it holds the event loop while it runs.
            await asyncio.sleep(WRITE_GATHER)
            self._written.clear()
            try:
                await self.flush()
            except UnavailableError:
                log.warning("database unavailable: %d outcomes wait", len(self._done))
                await asyncio.sleep(self.options.poll_interval)
            except Exception:  # the leases expire and those deliveries are tried again
                log.exception("writing delivery outcomes failed")

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then finish what is in hand (or give it back)."""
        writing = asyncio.create_task(self._writer(stop))
        stopping = asyncio.create_task(self._wake_on(stop))
        try:
            while not stop.is_set():
                # Cleared before the claim, so a slot freed while claiming is not missed.
                self._wake.clear()
                try:
                    claimed = await self.claim()
                except Exception:  # a database hiccup must not end delivery
                    log.exception("claiming deliveries failed")
                    claimed = []
                for item in claimed:
                    task = asyncio.create_task(self.process(item))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                # Claim again as soon as a finished attempt makes room a claim can use (see
                # `process`), or after the poll interval for rows that have come due since.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.options.poll_interval)
        finally:
            stopping.cancel()
            await self.drain(writing)

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def drain(self, writing: asyncio.Task[None]) -> None:
        """Let attempts in flight finish (or cancel them), write their outcomes, give back
        the leases of whatever is left."""
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=self.options.grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._written.set()
        # The writer ends once everything is written; a database still unavailable after
        # the grace period keeps the rest, whose leases then expire and are claimed again.
        _, waiting = await asyncio.wait([writing], timeout=self.options.grace)
        for task in waiting:
            task.cancel()
        await asyncio.gather(writing, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.flush()  # outcomes of attempts that ended after the writer stopped
        with contextlib.suppress(Exception):
            await release(self.db, self.owner)
        await self.sender.close()

    # -- one delivery ----------------------------------------------------------------------

    def _semaphore(self, target: str) -> asyncio.Semaphore:
        semaphore = self._semaphores.get(target)
        if semaphore is None:
            semaphore = self._semaphores[target] = asyncio.Semaphore(self.options.per_endpoint)
        return semaphore

    async def process(self, item: Claim) -> None:
        with logs.bound(logs.DELIVERY_ID, item.sid):
            await self._process(item)

    async def _process(self, item: Claim) -> None:
        try:
            async with self._semaphore(item.target_sid):
                started = self.clock.now()
                began = time.perf_counter()
                result, counted = await self.attempt(item, started)
                duration_ms = (time.perf_counter() - began) * 1000
            finished = self.clock.now()
            self._done.append(Outcome(item, result, started, finished, duration_ms, counted))
            self._written.set()
        except Exception:  # the lease expires and the delivery is tried again
            log.exception("delivery %s: the attempt failed", item.sid)
        finally:
            left = self._in_hand[item.target_sid] - 1
            if left > 0:
                self._in_hand[item.target_sid] = left
            else:
                del self._in_hand[item.target_sid]
                self._semaphores.pop(item.target_sid, None)  # nobody holds or waits on it
            # Wake the claim loop when this attempt made room a claim can fill: its endpoint
            # just dropped below its share (the claim skips endpoints at their share), or a
            # quarter of all slots just came free. Waiting out the poll instead capped one
            # endpoint at its share per poll (8 per 0.25 s by default). Waking only on these
            # crossings keeps it to one claim per refill, not one per attempt.
            free = self.options.concurrency - sum(self._in_hand.values())
            if left == self.options.per_endpoint - 1 or free == max(
                1, self.options.concurrency // 4
            ):
                self._wake.set()

    async def attempt(self, item: Claim, now: datetime) -> tuple[AttemptResult, bool]:
        """The attempt's result, and whether it counts toward the endpoint's failures."""
        row = item.target
        if item.target_type == "webhook":
            if row is None:
                return AttemptResult(
                    ok=False, error="the subscription was deleted", permanent=True
                ), False
            if not row.is_active:
                reason = row.disabled_reason or "the subscription is disabled"
                return AttemptResult(ok=False, error=reason, permanent=True), False
            subscription = Subscription(
                sid=row.sid,
                url=row.url,
                format=row.format,
                secrets=signing_secrets(row, now),
                legacy_signature=bool(row.legacy_signature),
            )
            return await self.sender.send(subscription, item.event, now), True
        if item.target_type == "contact":
            # Counted toward the contact's failures only when its channel was tried.
            reached = row is not None and (
                item.event.resource_type == "contact" or row.status == "active"
            )
            return await self.notify_contact(item, row), reached
        if item.target_type == "callback":
            callback = callbacks.subscription(row)
            if callback is None:
                return AttemptResult(ok=False, error="the check was deleted", permanent=True), False
            return await self.sender.send(callback, item.event, now), False
        return AttemptResult(
            ok=False, error=f"unknown target {item.target_type}", permanent=True
        ), False

    async def notify_contact(self, item: Claim, row: Any) -> AttemptResult:
        if row is None:
            return AttemptResult(ok=False, error="the contact was deleted", permanent=True)
        # A confirmation code goes to a pending contact; everything else only to active ones.
        if item.event.resource_type != "contact" and row.status != "active":
            return AttemptResult(ok=False, error=f"the contact is {row.status}", permanent=True)
        contact = channels.ContactTarget(sid=row.sid, type=row.type, args=row.args, name=row.name)
        try:
            async with asyncio.timeout(self.channel_ctx.timeout + 5):
                await channels.send(contact, item.event, self.channel_ctx)
        except channels.ChannelError as exc:
            return AttemptResult(
                ok=False, error=exc.message, permanent=exc.permanent, retry_after=exc.retry_after
            )
        except TimeoutError:
            return AttemptResult(ok=False, error=f"the {row.type} channel did not finish in time")
        return AttemptResult(ok=True)
