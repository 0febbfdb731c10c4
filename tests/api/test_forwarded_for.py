"""X-Forwarded-For is believed only from the proxies named in WATCHWIRE_TRUSTED_PROXIES, so a
key limited to an address range cannot be used by a local client that claims an address of
the range. Against `watchwire serve` (uvicorn reads the header, so only a real server shows
what is trusted)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.servers.watchwire_processes import (
    WatchwireProcess,
    prepare,
    start_serve,
    watchwire_env,
)

SPOOFED = {"X-Forwarded-For": "203.0.113.9"}


async def _restricted_key(base_url: str, headers: dict[str, str]) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        created = await client.post(
            "/v1/keys", json={"ip_allowlist": ["203.0.113.0/24"]}, headers=headers
        )
        assert created.status_code == 201, created.text
        return {"X-API-Key": created.json()["data"]["key"]}


async def _account(base_url: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        return await client.get("/v1/account", headers=headers)


async def _serve(tmp_path: Path, **settings: str) -> tuple[str, dict[str, str], WatchwireProcess]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    owner = await prepare(url)
    process = await start_serve(watchwire_env(url, **settings), tmp_path)
    return process.base_url, await _restricted_key(process.base_url, owner), process


async def test_a_spoofed_header_from_loopback_is_ignored_by_default(tmp_path: Path) -> None:
    base, key, process = await _serve(tmp_path)
    try:
        refused = await _account(base, key | SPOOFED)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "ip_restricted"
        assert "127.0.0.1" in refused.json()["error"]["message"]
    finally:
        await process.stop()


async def test_a_proxy_not_named_is_not_believed(tmp_path: Path) -> None:
    base, key, process = await _serve(tmp_path, trusted_proxies="10.0.0.0/8")
    try:
        assert (await _account(base, key | SPOOFED)).status_code == 403
    finally:
        await process.stop()


async def test_the_named_proxy_is_believed(tmp_path: Path) -> None:
    base, key, process = await _serve(tmp_path, trusted_proxies="127.0.0.1,::1")
    try:
        assert (await _account(base, key | SPOOFED)).status_code == 200
        # The proxy's own address is not in the range: without the header, refused.
        assert (await _account(base, key)).status_code == 403
        outside = await _account(base, key | {"X-Forwarded-For": "198.51.100.1"})
        assert outside.status_code == 403
        assert "198.51.100.1" in outside.json()["error"]["message"]
    finally:
        await process.stop()
