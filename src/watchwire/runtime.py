"""The assembled process: settings, database, services and shared clients, built once and
handed to every face. Tests build one against a temporary database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from watchwire.clock import Clock, SystemClock
from watchwire.config import Settings
from watchwire.delivery.channels import ChannelContext
from watchwire.probes.base import ProbeContext
from watchwire.ratelimit import RateLimiter
from watchwire.services.accounts import AccountService, CreatedKey
from watchwire.services.agents import AgentService
from watchwire.services.aliases import AliasResolver
from watchwire.services.certs.service import CertService
from watchwire.services.contact_groups import ContactGroupService
from watchwire.services.contacts import ContactService
from watchwire.services.deliveries import DeliveryService
from watchwire.services.domains.service import DomainService
from watchwire.services.events import EventService
from watchwire.services.heartbeats import HeartbeatService
from watchwire.services.idempotency import IdempotencyService
from watchwire.services.locations import LocationService
from watchwire.services.monitors import MonitorService
from watchwire.services.rbl.service import RblService
from watchwire.services.status_pages.service import StatusPageService
from watchwire.services.subscriptions import SubscriptionService
from watchwire.services.tokens import TokenService
from watchwire.store.database import Database
from watchwire.store.migrate import describe_upgrade, upgrade_from
from watchwire.target_policy import TargetPolicy

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    accounts: AccountService
    idempotency: IdempotencyService
    limiter: RateLimiter
    probe_ctx: ProbeContext
    channel_ctx: ChannelContext
    contacts: ContactService
    contact_groups: ContactGroupService
    monitors: MonitorService
    heartbeats: HeartbeatService
    events: EventService
    subscriptions: SubscriptionService
    deliveries: DeliveryService
    # Integer ids of the faces that show them (Enterno) ↔ webhook and delivery SIDs.
    aliases: AliasResolver
    rbl: RblService
    domains: DomainService
    certs: CertService
    status_pages: StatusPageService
    tokens: TokenService
    # The probe locations (decision 0032); `locations.own` is this server's.
    locations: LocationService
    # What agents of other locations ask over the agent API.
    agents: AgentService
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def build(
        cls, settings: Settings, *, db: Database | None = None, clock: Clock | None = None
    ) -> Runtime:
        clock = clock or SystemClock()
        database = db or Database(settings.database_url)
        channel_ctx = ChannelContext.from_settings(settings)
        limiter = RateLimiter(settings.redis_url)
        hashing_key = settings.hashing_key()
        accounts = AccountService(database, hashing_key, clock)
        return cls(
            settings=settings,
            db=database,
            accounts=accounts,
            idempotency=IdempotencyService(database, clock, settings.idempotency_ttl_seconds),
            limiter=limiter,
            probe_ctx=ProbeContext.from_settings(settings),
            monitors=MonitorService(database, clock, settings.location),
            heartbeats=HeartbeatService(
                database, clock, limiter, per_minute=settings.heartbeat_pings_per_minute
            ),
            events=EventService(database, clock),
            channel_ctx=channel_ctx,
            contacts=ContactService(database, channel_ctx, clock),
            contact_groups=ContactGroupService(database, clock),
            subscriptions=SubscriptionService(
                database,
                clock,
                TargetPolicy(settings.allow_private_targets, settings.allow_metadata_target),
                allow_http=settings.webhook_allow_http or settings.allow_private_targets,
            ),
            deliveries=DeliveryService(database, clock),
            aliases=AliasResolver(database),
            rbl=RblService(
                database,
                clock,
                ProbeContext.from_settings(settings),
                allow_http=settings.webhook_allow_http or settings.allow_private_targets,
            ),
            domains=DomainService(database, clock, ProbeContext.from_settings(settings), settings),
            certs=CertService(
                database,
                clock,
                ProbeContext.from_settings(settings),
                default_interval=settings.cert_check_interval_seconds,
            ),
            status_pages=StatusPageService(
                database, clock, cache_seconds=settings.status_page_cache_seconds
            ),
            tokens=TokenService(database, hashing_key, clock, accounts),
            locations=LocationService(database, clock, settings.location),
            agents=AgentService(database, clock),
            clock=clock,
        )

    async def migrate(self) -> None:
        before, after = await upgrade_from(self.db)
        log.info(describe_upgrade(before, after))

    async def bootstrap(self) -> CreatedKey | None:
        """On the first start with no account, create one; return its key (shown once)."""
        if not self.settings.bootstrap_account or await self.accounts.count_accounts():
            return None
        return await self.accounts.create_account("admin", plan="unlimited")

    async def close(self) -> None:
        await self.db.close()
