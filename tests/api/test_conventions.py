"""The native API's conventions: envelope, error codes, request ids, gzip, pagination,
OpenAPI, health endpoints."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.conftest import client_for
from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.store.database import Database


async def test_envelope_meta(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = (await client.get("/v1/account", headers=auth)).json()
    assert set(body) == {"data", "meta"}
    assert set(body["meta"]) == {"request_id", "duration_ms", "api_version"}
    assert body["meta"]["api_version"] == "1.0"


async def test_request_id_is_echoed_or_generated(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    echoed = await client.get("/v1/account", headers={**auth, "X-Request-Id": "trace-42"})
    assert echoed.headers["X-Request-Id"] == "trace-42"
    assert echoed.json()["meta"]["request_id"] == "trace-42"
    replaced = await client.get("/v1/account", headers={**auth, "X-Request-Id": "bad id\x7f"})
    assert replaced.headers["X-Request-Id"] != "bad id"
    assert len(replaced.headers["X-Request-Id"]) == 24
    unauthenticated = await client.get("/nowhere")
    assert len(unauthenticated.headers["X-Request-Id"]) == 24


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/v1/account", {}, 401, "auth_required"),
        ("GET", "/v1/account", {"headers": {"X-API-Key": "x"}}, 401, "invalid_api_key"),
        ("GET", "/v1/no-such-thing", {"auth": True}, 404, "not_found"),
        ("GET", "/v1/keys/AK00000000000000000000000000000000", {"auth": True}, 404, "not_found"),
        ("PATCH", "/v1/account", {"auth": True}, 405, "method_not_allowed"),
        ("POST", "/v1/keys", {"auth": True, "json": {"name": 5}}, 400, "missing_parameter"),
        ("POST", "/v1/keys", {"auth": True, "content": b"{not json"}, 400, "missing_parameter"),
        ("GET", "/v1/keys?per_page=0", {"auth": True}, 400, "missing_parameter"),
    ],
)
async def test_error_codes_and_envelope(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    method: str,
    path: str,
    kwargs: dict[str, object],
    status: int,
    code: str,
) -> None:
    request: dict[str, object] = {k: v for k, v in kwargs.items() if k != "auth"}
    if kwargs.get("auth"):
        request["headers"] = {**auth, "Content-Type": "application/json"}
    response = await client.request(method, path, **request)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["meta"]["request_id"] == response.headers["X-Request-Id"]


async def test_validation_error_names_field_and_rule(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/keys", json={"read_only": "maybe", "colour": "red"}, headers=auth
    )
    details = {d["field"]: d["rule"] for d in response.json()["error"]["details"]}
    assert details == {"read_only": "bool_parsing", "colour": "unknown_field"}


async def test_gzip_when_asked(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for _ in range(5):
        await client.post("/v1/keys", json={"name": "padding key"}, headers=auth)
    raw = await client.get("/v1/keys", headers={**auth, "Accept-Encoding": "gzip"})
    assert raw.headers["Content-Encoding"] == "gzip"
    plain = await client.get("/v1/keys", headers={**auth, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    # httpx decodes gzip transparently; the decoded bodies agree on the data.
    assert raw.json()["data"] == plain.json()["data"]
    assert len(gzip.compress(plain.content)) < len(plain.content)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=x", "page"),
    ],
)
async def test_pagination_bounds(
    client: httpx.AsyncClient, auth: dict[str, str], query: str, field: str
) -> None:
    response = await client.get(f"/v1/keys?{query}", headers=auth)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field


async def test_pagination_meta_and_pages(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for _ in range(4):
        await client.post("/v1/keys", json={}, headers=auth)
    first = (await client.get("/v1/keys?per_page=2", headers=auth)).json()
    assert first["meta"]["pagination"] == {"total": 5, "page": 1, "per_page": 2, "pages": 3}
    last = (await client.get("/v1/keys?per_page=2&page=3", headers=auth)).json()
    assert len(last["data"]) == 1
    beyond = (await client.get("/v1/keys?per_page=2&page=9", headers=auth)).json()
    assert beyond["data"] == []
    seen = {
        k["sid"]
        for p in (1, 2, 3)
        for k in (await client.get(f"/v1/keys?per_page=2&page={p}", headers=auth)).json()["data"]
    }
    assert len(seen) == 5


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/keys" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_not_ready_when_the_database_is_unreachable(settings: Settings) -> None:
    # Nothing listens on port 1 of loopback: the database is unreachable.
    runtime = Runtime.build(settings, db=Database("postgresql://postgres@127.0.0.1:1/test"))
    async with client_for(create_app(runtime)) as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    await runtime.close()
