"""The registry of account-owned resources for the cross-account property test.

Every endpoint that reaches a row belonging to an account is listed here with a way to
create such a row. Adding a resource = adding one entry; the property test then checks that
another account gets 404 (never 403, never the row) on every listed request, and that the
owner's row is unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Create = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[str]]


@dataclass(frozen=True)
class OwnedResource:
    name: str
    create: Create
    # (method, path with {id}, JSON body or None)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    # path with {id} that the owner reads to prove the row is untouched
    read_back: str = ""


async def _create_key(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/keys", json={"name": "isolated"}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["sid"])


RESOURCES: list[OwnedResource] = [
    OwnedResource(
        name="api key",
        create=_create_key,
        requests=[("GET", "/v1/keys/{id}", None), ("DELETE", "/v1/keys/{id}", None)],
        read_back="/v1/keys/{id}",
    ),
]
