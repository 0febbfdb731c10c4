"""The native API, version 1: one router per resource, assembled here."""

from __future__ import annotations

from fastapi import APIRouter

from watchwire.api.native import (
    account,
    certs,
    contacts,
    deliveries,
    domains,
    events,
    health,
    keys,
    monitors,
    rbl,
    tools,
    webhooks,
)

router = APIRouter()
router.include_router(health.router)
router.include_router(account.router, prefix="/v1")
router.include_router(keys.router, prefix="/v1")
router.include_router(tools.router, prefix="/v1")
router.include_router(contacts.router, prefix="/v1")
router.include_router(monitors.router, prefix="/v1")
router.include_router(events.router, prefix="/v1")
router.include_router(webhooks.router, prefix="/v1")
router.include_router(deliveries.router, prefix="/v1")
router.include_router(domains.router, prefix="/v1")
router.include_router(certs.router, prefix="/v1")
router.include_router(rbl.router, prefix="/v1")
