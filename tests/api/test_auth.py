"""Every way to present a key, scopes, read-only keys, IP allowlists and revocation."""

from __future__ import annotations

import base64
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from tests.conftest import client_for
from watchwire.api.auth import require
from watchwire.runtime import Runtime
from watchwire.services.accounts import CreatedKey, Principal


def presentations(key: CreatedKey) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    basic = base64.b64encode(f"{key.sid}:{key.secret}".encode()).decode()
    return {
        "x-api-key": ({"X-API-Key": key.key}, {}),
        "x-api-key sid:secret": ({"X-API-Key": f"{key.sid}:{key.secret}"}, {}),
        "bearer": ({"Authorization": f"Bearer {key.key}"}, {}),
        "basic": ({"Authorization": f"Basic {basic}"}, {}),
        "api-key query": ({}, {"api-key": key.key}),
        "api_key query": ({}, {"api_key": key.key}),
    }


@pytest.mark.parametrize(
    "way",
    ["x-api-key", "x-api-key sid:secret", "bearer", "basic", "api-key query", "api_key query"],
)
async def test_every_presentation_of_one_key_is_accepted(
    client: httpx.AsyncClient, account: CreatedKey, way: str
) -> None:
    headers, params = presentations(account)[way]
    response = await client.get("/v1/account", headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["sid"] == account.account_sid


async def test_missing_key_is_auth_required(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/account")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth_required"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "nonsense"},
        {"Authorization": "Bearer AK" + "0" * 96},
        {"Authorization": "Basic !!!notbase64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    ],
)
async def test_malformed_or_unknown_key_is_invalid(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v1/account", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


async def test_wrong_secret_is_invalid(client: httpx.AsyncClient, account: CreatedKey) -> None:
    response = await client.get("/v1/account", headers={"X-API-Key": account.sid + "f" * 64})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


async def test_key_shapes_match_the_published_clients(account: CreatedKey) -> None:
    assert account.sid.startswith("AK") and len(account.sid) == 34
    assert len(account.secret) == 64 and account.secret == account.secret.lower()
    int(account.secret, 16)


async def test_revocation_takes_effect_at_once(
    client: httpx.AsyncClient, account: CreatedKey, auth: dict[str, str]
) -> None:
    created = await client.post("/v1/keys", json={"name": "ci"}, headers=auth)
    assert created.status_code == 201
    other = {"X-API-Key": created.json()["data"]["key"]}
    assert (await client.get("/v1/account", headers=other)).status_code == 200
    revoked = await client.delete(f"/v1/keys/{created.json()['data']['sid']}", headers=auth)
    assert revoked.json()["data"]["status"] == "revoked"
    after = await client.get("/v1/account", headers=other)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "invalid_api_key"


async def test_secret_is_shown_once_and_never_listed(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = (await client.post("/v1/keys", json={}, headers=auth)).json()["data"]
    assert len(created["secret"]) == 64
    listed = (await client.get("/v1/keys", headers=auth)).json()["data"]
    assert all("secret" not in key and "key" not in key for key in listed)
    single = (await client.get(f"/v1/keys/{created['sid']}", headers=auth)).json()["data"]
    assert "secret" not in single


async def test_read_only_key_reads_but_cannot_write(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await client.post("/v1/keys", json={"read_only": True}, headers=auth)
    read_only = {"X-API-Key": created.json()["data"]["key"]}
    assert (await client.get("/v1/keys", headers=read_only)).status_code == 200
    write = await client.post("/v1/keys", json={}, headers=read_only)
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "insufficient_scope"
    assert "read-only" in write.json()["error"]["message"]


async def test_ip_allowlist_admits_listed_addresses_only(
    app: FastAPI, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/keys", json={"ip_allowlist": ["10.20.0.0/16", "2001:db8::1"]}, headers=auth
    )
    restricted = {"X-API-Key": created.json()["data"]["key"]}
    refused = await client.get("/v1/account", headers=restricted)  # from 127.0.0.1
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ip_restricted"
    for allowed_ip in ("10.20.3.4", "2001:db8::1"):
        async with client_for(app, allowed_ip) as inside:
            assert (await inside.get("/v1/account", headers=restricted)).status_code == 200


async def test_ip_allowlist_entries_are_validated(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/keys", json={"ip_allowlist": ["10.0.0.0/8", "bad"]}, headers=auth
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "ip_allowlist[1]"


@pytest.fixture
def scoped_app(app: FastAPI) -> FastAPI:
    """The real app plus one route behind the `dns` scope, to exercise `require(scope)`."""

    async def dns_only(principal: Annotated[Principal, Depends(require("dns"))]) -> dict[str, str]:
        return {"key": principal.key_sid}

    app.add_api_route("/v1/_scoped", dns_only, methods=["GET"])
    return app


async def test_scopes_gate_endpoints(
    scoped_app: FastAPI, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    dns_key = (await client.post("/v1/keys", json={"scopes": ["dns"]}, headers=auth)).json()
    ssl_key = (await client.post("/v1/keys", json={"scopes": ["ssl"]}, headers=auth)).json()
    allowed = await client.get("/v1/_scoped", headers={"X-API-Key": dns_key["data"]["key"]})
    assert allowed.status_code == 200
    denied = await client.get("/v1/_scoped", headers={"X-API-Key": ssl_key["data"]["key"]})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "insufficient_scope"
    assert "'dns'" in denied.json()["error"]["message"]


async def test_a_key_cannot_grant_scopes_it_lacks(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    narrow = (await client.post("/v1/keys", json={"scopes": ["dns"]}, headers=auth)).json()
    response = await client.post(
        "/v1/keys", json={"scopes": ["dns", "ssl"]}, headers={"X-API-Key": narrow["data"]["key"]}
    )
    assert response.status_code == 403


async def test_unknown_scope_and_scope_outside_the_plan_are_rejected(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    free = await runtime.accounts.create_account("tiny", plan="free")
    headers = {"X-API-Key": free.key}
    unknown = await client.post("/v1/keys", json={"scopes": ["bogus"]}, headers=headers)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0] == {
        "field": "scopes[0]",
        "rule": "enum",
        "message": unknown.json()["error"]["details"][0]["message"],
    }
    outside = await client.post("/v1/keys", json={"scopes": ["ssl"]}, headers=headers)
    assert outside.status_code == 400
    assert outside.json()["error"]["details"][0]["rule"] == "plan"


async def test_the_operator_of_an_in_process_caller_needs_no_key(
    app: FastAPI, runtime: Runtime, account: CreatedKey
) -> None:
    """The CLI on the local database: its principal rides in the ASGI scope's extensions,
    which only the code building the scope can set; everyone else still needs a key."""
    import json

    from watchwire.api.auth import OPERATOR_EXTENSION
    from watchwire.cli.client import asgi_transport
    from watchwire.errors import NotFoundError

    operator = await runtime.accounts.operator(account.account_sid)
    assert operator.key_sid == "" and not operator.read_only
    send = asgi_transport(app, {OPERATOR_EXTENSION: operator}, {})
    status, body = await send(
        "POST", "/v1/monitors", "", b'{"kind": "tcp", "target": "127.0.0.1:9"}'
    )
    assert status == 201, body
    status, body = await send("GET", "/v1/monitors", "", None)
    assert status == 200 and len(json.loads(body)["data"]) == 1

    status, body = await asgi_transport(app, {}, {})("GET", "/v1/monitors", "", None)
    assert status == 401 and json.loads(body)["error"]["code"] == "auth_required"
    with pytest.raises(NotFoundError):
        await runtime.accounts.operator("AC" + "0" * 32)
