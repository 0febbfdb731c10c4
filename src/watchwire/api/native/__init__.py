"""The native API, version 1: one router per resource, assembled here."""

from __future__ import annotations

from fastapi import APIRouter

from watchwire.api.native import account, health, keys, tools

router = APIRouter()
router.include_router(health.router)
router.include_router(account.router, prefix="/v1")
router.include_router(keys.router, prefix="/v1")
router.include_router(tools.router, prefix="/v1")
