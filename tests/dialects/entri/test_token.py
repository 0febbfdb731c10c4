"""`POST /token` and the two headers of every other request: a token lives 60 minutes on the
service's clock, is refused forged, expired, for another application, after its key is
revoked, or signed by a key rotated out past its grace; the signing key outlives a restart."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import jwt
import orjson
import pytest
from fastapi import FastAPI

from tests.dialects.entri.conftest import asgi_client, signed_in, token_for
from watchwire.app import create_app
from watchwire.clock import FrozenClock
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey
from watchwire.services.tokens import KEY_CACHE_SECONDS

_CODES = ("invalid_token", "auth_required", "invalid_credentials", "invalid_api_key")


def _refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert words in body["message"], body
    assert body["errors"] == [] and body["code"] in _CODES
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_token_is_a_jwt_for_the_key_valid_sixty_minutes(
    app: FastAPI, account: CreatedKey, clock: FrozenClock
) -> None:
    async with asgi_client(app) as client:
        token = await token_for(client, account)
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == account.sid
        assert claims["exp"] - claims["iat"] == 3600
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        await signed_in(client, account)
        clock.advance(3599)
        assert (await client.get("/monitor/domains")).status_code == 200
        clock.advance(1)
        _refused(await client.get("/monitor/domains"), "expired at 2026-11-24T13:00:00Z")
        # A new token works again.
        await signed_in(client, account)
        assert (await client.get("/monitor/domains")).status_code == 200


async def test_wrong_secrets_get_no_token(app: FastAPI, account: CreatedKey) -> None:
    async with asgi_client(app) as client:
        wrong = await client.post("/token", json={"applicationId": account.sid, "secret": "0" * 64})
        _refused(wrong, "Unknown or revoked applicationId, or a wrong secret")
        unknown = await client.post(
            "/token", json={"applicationId": "AK" + "0" * 32, "secret": "x"}
        )
        assert unknown.status_code == 401
        missing = await client.post("/token", json={"applicationId": account.sid})
        assert missing.status_code == 400
        assert missing.json()["errors"][0] == {
            "field": "secret",
            "rule": "required",
            "message": "secret is required",
        }


async def test_bearer_may_be_left_out_and_both_headers_are_required(
    app: FastAPI, account: CreatedKey
) -> None:
    async with asgi_client(app) as client:
        token = await token_for(client, account)
        for authorization in (f"Bearer {token}", f"bearer  {token}", token):
            headers = {"applicationId": account.sid, "Authorization": authorization}
            assert (await client.get("/monitor/status", headers=headers)).status_code == 200
        no_app = await client.get("/monitor/status", headers={"Authorization": token})
        _refused(no_app, "applicationId header is required")
        no_token = await client.get("/monitor/status", headers={"applicationId": account.sid})
        _refused(no_token, "Authorization header is required")
        # The key itself is not a token: the dialect takes tokens only.
        as_key = {"applicationId": account.sid, "Authorization": f"Bearer {account.key}"}
        _refused(await client.get("/monitor/status", headers=as_key), "not a JWT")


async def test_a_token_works_only_with_its_own_application(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    other, _ = await runtime.accounts.create_key(account.account_sid, name="second")
    async with asgi_client(app) as client:
        token = await token_for(client, account)
        headers = {"applicationId": other.sid, "Authorization": f"Bearer {token}"}
        _refused(await client.get("/monitor/status", headers=headers), "another application")


def _forge(token: str, **changes: object) -> str:
    """The token with its claims changed and its signature kept."""
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(orjson.dumps({**claims, **changes})).rstrip(b"=")
    return f"{header}.{changed.decode()}.{signature}"


async def test_forged_tokens_are_refused(app: FastAPI, account: CreatedKey) -> None:
    async with asgi_client(app) as client:
        token = await token_for(client, account)
        kid = jwt.get_unverified_header(token)["kid"]
        claims = jwt.decode(token, options={"verify_signature": False})
        cases = [
            (_forge(token, exp=claims["exp"] + 86400), "signature is not valid"),
            (jwt.encode(claims, "guess" * 8, headers={"kid": kid}), "signature is not valid"),
            (jwt.encode(claims, "guess" * 8, headers={"kid": "f" * 32}), "not signed by this"),
            (jwt.encode(claims, None, algorithm="none"), "not signed by this server"),
            (jwt.encode(claims, None, algorithm="none", headers={"kid": kid}), "alg value"),
            ("not-a-token", "not a JWT"),
        ]
        for forged, words in cases:
            headers = {"applicationId": account.sid, "Authorization": f"Bearer {forged}"}
            _refused(await client.get("/monitor/status", headers=headers), words)


async def test_a_revoked_keys_token_stops_at_once(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    async with asgi_client(app) as client:
        await signed_in(client, account)
        assert (await client.get("/monitor/status")).status_code == 200
        await runtime.accounts.revoke_key(account.account_sid, account.sid)
        _refused(await client.get("/monitor/status"), "revoked")
        again = await client.post(
            "/token", json={"applicationId": account.sid, "secret": account.secret}
        )
        assert again.status_code == 401


async def test_rotation_keeps_old_tokens_for_the_grace_period(
    app: FastAPI, runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    async with asgi_client(app) as client:
        old = await token_for(client, account)
        kept = await runtime.tokens.rotate(grace=timedelta(minutes=10))
        assert [k.accepted_until is None for k in kept] == [True, False]
        new = await token_for(client, account)
        assert jwt.get_unverified_header(new)["kid"] == kept[0].kid
        assert jwt.get_unverified_header(old)["kid"] == kept[1].kid
        for token in (old, new):
            headers = {"applicationId": account.sid, "Authorization": token}
            assert (await client.get("/monitor/status", headers=headers)).status_code == 200
        clock.advance(600)
        old_headers = {"applicationId": account.sid, "Authorization": old}
        _refused(await client.get("/monitor/status", headers=old_headers), "retired key")
        new_headers = {"applicationId": account.sid, "Authorization": new}
        assert (await client.get("/monitor/status", headers=new_headers)).status_code == 200
        # Rotating at once (grace 0) refuses the current tokens immediately.
        await runtime.tokens.rotate(grace=timedelta(0))
        _refused(await client.get("/monitor/status", headers=new_headers), "retired key")


async def test_rotation_by_another_process_is_seen_within_the_cache_time(
    runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    token = (await runtime.tokens.issue(account.sid, account.secret)).token
    assert (await runtime.tokens.verify(account.sid, token)).key_sid == account.sid
    # Another process (the CLI) rotates with no grace: this one learns it from the database.
    other = Runtime.build(runtime.settings, db=runtime.db, clock=clock)
    await other.tokens.rotate(grace=timedelta(0))
    clock.advance(KEY_CACHE_SECONDS)
    with pytest.raises(Exception, match="retired key"):
        await runtime.tokens.verify(account.sid, token)


async def test_the_signing_key_survives_a_restart(
    runtime: Runtime, account: CreatedKey, clock: FrozenClock
) -> None:
    async with asgi_client(create_app(runtime)) as client:
        token = await token_for(client, account)
    restarted = Runtime.build(runtime.settings, db=runtime.db, clock=clock)
    async with asgi_client(create_app(restarted)) as client:
        headers = {"applicationId": account.sid, "Authorization": f"Bearer {token}"}
        assert (await client.get("/monitor/status", headers=headers)).status_code == 200
        # and it signs the same way: one key, not one per process.
        assert jwt.get_unverified_header(await token_for(client, account)) == (
            jwt.get_unverified_header(token)
        )


async def test_allowlist_scope_and_read_only_apply(app: FastAPI, runtime: Runtime) -> None:
    owner = await runtime.accounts.create_account("acme")
    fenced, _ = await runtime.accounts.create_key(owner.account_sid, ip_allowlist=["10.0.0.0/8"])
    reader, _ = await runtime.accounts.create_key(owner.account_sid, read_only=True)
    no_scope, _ = await runtime.accounts.create_key(owner.account_sid, scopes=["monitors"])
    async with asgi_client(app) as client:
        refused = await client.post(
            "/token", json={"applicationId": fenced.sid, "secret": fenced.secret}
        )
        assert refused.status_code == 403 and "IP address restriction" in refused.json()["message"]
        await signed_in(client, reader)
        assert (await client.get("/monitor/domains")).status_code == 200
        write = await client.post("/monitor/domains", json={"domain": "a.test", "dnsRecords": []})
        assert write.status_code == 403 and "read-only" in write.json()["message"]
        await signed_in(client, no_scope)
        assert "'domains' scope" in (await client.get("/monitor/domains")).json()["message"]


async def test_requests_count_against_the_plan_budget(
    app: FastAPI, entri: httpx.AsyncClient
) -> None:
    response = await entri.get("/monitor/status")
    assert int(response.headers["RateLimit-Remaining"]) >= 0
    assert "RateLimit-Limit" in response.headers
