"""The OpenAPI description says what the API answers: envelopes, errors, every method served."""

from __future__ import annotations

from typing import Any

import httpx


async def _described(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/openapi.json")
    assert response.status_code == 200
    described: dict[str, Any] = response.json()
    return described


async def test_a_405_allows_every_method_served_at_the_path(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.put("/v1/monitors/MOnope", headers=auth)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


async def test_put_on_rbl_resources_is_described(client: httpx.AsyncClient) -> None:
    paths = (await _described(client))["paths"]
    for resource in ("hosts", "profiles", "sources"):
        assert "put" in paths[f"/v1/rbl/{resource}/{{sid}}"]


async def test_answers_are_described_as_envelopes_and_errors_as_400_not_422(
    client: httpx.AsyncClient,
) -> None:
    described = await _described(client)
    assert "HTTPValidationError" not in described["components"]["schemas"]
    patch = described["paths"]["/v1/monitors/{sid}"]["patch"]["responses"]
    assert "422" not in patch
    assert patch["200"]["content"]["application/json"]["schema"]["required"] == ["data", "meta"]
    for status in ("400", "401", "403", "404", "429"):
        schema = patch[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}


async def test_every_answer_describes_its_data(client: httpx.AsyncClient) -> None:
    """No 2xx of the native API is described as "any data": each names its renderer's type."""
    described = await _described(client)
    untyped = []
    for path, operations in described["paths"].items():
        if not path.startswith("/v1/") or path == "/v1/openapi.json":
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                schema = response["content"]["application/json"]["schema"]
                if not schema["properties"]["data"]:
                    untyped.append(f"{method.upper()} {path} {status}")
    assert untyped == []


async def test_a_monitor_describes_its_certificate_and_domain(client: httpx.AsyncClient) -> None:
    """What a monitor knows about itself is in the description a client generates from."""
    schemas = (await _described(client))["components"]["schemas"]
    ssl = schemas["SslJson"]["properties"]
    assert {"not_after", "checked_at", "valid", "error", "certificate"} <= set(ssl)
    certificate = schemas["MonitorCertificateJson"]["properties"]
    assert {"subject", "issuer", "not_before", "not_after", "key_algorithm"} <= set(certificate)
    domain = schemas["MonitorDomainJson"]["properties"]
    assert {"name", "expires_at", "checked_at", "error", "source"} <= set(domain)
    assert "domain" in schemas["MonitorJson"]["properties"]
