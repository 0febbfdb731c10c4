"""X-Idempotency-Key: replay within 60 s, 409 while running or for another request."""

from __future__ import annotations

import httpx

from watchwire.clock import FrozenClock
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey


async def _key_count(client: httpx.AsyncClient, auth: dict[str, str]) -> int:
    listed = await client.get("/v1/keys", headers=auth)
    return int(listed.json()["meta"]["pagination"]["total"])


async def test_same_key_replays_the_stored_response(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "X-Idempotency-Key": "create-key-001"}
    first = await client.post("/v1/keys", json={"name": "deploy"}, headers=headers)
    again = await client.post("/v1/keys", json={"name": "deploy"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["X-Idempotent-Replayed"] == "true"
    assert "X-Idempotent-Replayed" not in first.headers
    assert again.json()["data"] == first.json()["data"]
    assert await _key_count(client, auth) == 2  # the account's default key + one


async def test_key_expires_after_the_window(
    client: httpx.AsyncClient, auth: dict[str, str], clock: FrozenClock
) -> None:
    headers = {**auth, "X-Idempotency-Key": "k"}
    await client.post("/v1/keys", json={}, headers=headers)
    clock.advance(61)
    second = await client.post("/v1/keys", json={}, headers=headers)
    assert "X-Idempotent-Replayed" not in second.headers
    assert await _key_count(client, auth) == 3


async def test_same_key_for_another_request_is_a_conflict(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "X-Idempotency-Key": "k2"}
    await client.post("/v1/keys", json={"name": "a"}, headers=headers)
    other = await client.post("/v1/keys", json={"name": "b"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "conflict"


async def test_request_still_running_is_a_conflict(
    runtime: Runtime, client: httpx.AsyncClient, account: CreatedKey, auth: dict[str, str]
) -> None:
    import hashlib

    body = b'{"name":"slow"}'
    digest = hashlib.sha256()
    for part in (b"POST", b"/v1/keys", b"", body):
        digest.update(part)
        digest.update(b"\0")
    # Another process has claimed the key and not finished yet.
    assert await runtime.idempotency.begin(account.account_sid, "busy", digest.hexdigest()) is None
    response = await client.post(
        "/v1/keys",
        content=body,
        headers={**auth, "X-Idempotency-Key": "busy", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Idempotent request already in progress"


async def test_keys_are_per_account(
    runtime: Runtime, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    other = await runtime.accounts.create_account("other")
    await client.post("/v1/keys", json={}, headers={**auth, "X-Idempotency-Key": "shared"})
    theirs = await client.post(
        "/v1/keys", json={}, headers={"X-API-Key": other.key, "X-Idempotency-Key": "shared"}
    )
    assert theirs.status_code == 201
    assert "X-Idempotent-Replayed" not in theirs.headers


async def test_failed_request_is_not_stored(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "X-Idempotency-Key": "bad"}
    first = await client.post("/v1/keys", json={"scopes": ["bogus"]}, headers=headers)
    assert first.status_code == 400
    replay = await client.post("/v1/keys", json={"scopes": ["bogus"]}, headers=headers)
    assert replay.headers.get("X-Idempotent-Replayed") == "true"  # 4xx answers are replayed too
    assert replay.status_code == 400
