"""The agent API (`/v1/agent/…`, api/native/agent.py) as an agent calls it."""

from __future__ import annotations

from typing import Any

import aiohttp

from watchwire.engine.location_runs import LocationResult, Work

# A call that takes longer is an outage: the agent keeps checking and buffering meanwhile.
CALL_TIMEOUT = 15.0


class CentralUnavailable(Exception):
    """The central service did not answer, or answered with a server error: try later."""


class AgentRefused(Exception):
    """The central service refused the call (a 4xx): retrying the same call will not help."""


class AgentClient:
    def __init__(self, url: str, token: str, instance: str, version: str) -> None:
        self.url = url.rstrip("/")
        self.instance = instance
        self.version = version
        self._headers = {"Authorization": f"Bearer {token}"}
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                headers=self._headers, timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT)
            )
        return self._session

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            async with self._client().post(self.url + path, json=body) as response:
                if response.status >= 500:
                    raise CentralUnavailable(f"{path}: HTTP {response.status}")
                payload = await response.json(content_type=None)
                if response.status >= 400:
                    raise AgentRefused(f"{path}: HTTP {response.status}: {payload.get('error')}")
                return payload["data"]
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CentralUnavailable(f"{path}: {type(exc).__name__}: {exc}") from exc

    async def heartbeat(self, *, started: bool = False) -> dict[str, Any]:
        """`started`: this instance has just started, so the checks it had leased before are
        not running any more (they are given back)."""
        data: dict[str, Any] = await self._post(
            "/v1/agent/heartbeat",
            {"instance": self.instance, "version": self.version, "started": started},
        )
        return data

    async def claim(self, limit: int) -> list[Work]:
        data = await self._post("/v1/agent/work", {"instance": self.instance, "limit": limit})
        return [Work.from_json(item) for item in data]

    async def push(self, batch_id: str, results: list[dict[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = await self._post(
            "/v1/agent/results",
            {"instance": self.instance, "batch_id": batch_id, "results": results},
        )
        return data

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def result_json(result: LocationResult) -> dict[str, Any]:
    return result.to_json()
