"""Property: a row that belongs to one account is invisible to every other account."""

from __future__ import annotations

import httpx
import pytest

from tests.api.isolation import RESOURCES, OwnedResource
from watchwire.runtime import Runtime

# Routes with a path id of a resource no account owns (the operator's probe locations).
SHARED_ROUTES = {("GET", "/v1/locations/{code}")}

CASES = [
    pytest.param(resource, method, path, body, id=f"{resource.name}:{method} {path}")
    for resource in RESOURCES
    for method, path, body in resource.requests
]


@pytest.mark.parametrize(("resource", "method", "path", "body"), CASES)
async def test_other_account_gets_404(
    runtime: Runtime,
    client: httpx.AsyncClient,
    auth: dict[str, str],
    resource: OwnedResource,
    method: str,
    path: str,
    body: object,
) -> None:
    owned_id = await resource.create(client, auth)
    before = (await client.get(resource.read_back.format(id=owned_id), headers=auth)).json()
    intruder = await runtime.accounts.create_account("intruder")
    response = await client.request(
        method, path.format(id=owned_id), json=body, headers={"X-API-Key": intruder.key}
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    assert owned_id not in response.text
    after = (await client.get(resource.read_back.format(id=owned_id), headers=auth)).json()
    assert after["data"] == before["data"]


def test_every_owned_route_is_registered(app: object) -> None:
    """A new route with a path id must be added to the isolation registry. Routes are read
    from the OpenAPI description: it lists every route of every included router with its full
    path, whatever the framework's internal route objects look like."""
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    covered = {(m, p) for r in RESOURCES for m, p, _ in r.requests}
    routes = {
        (
            method.upper(),
            # A nested id (an incident of a page) is one {id} in the registry.
            path.replace("{token}/incidents/{sid}", "{id}")
            .replace("{token}", "{id}")
            .replace("{sid}", "{id}")
            .replace("{domain}", "{id}"),
        )
        for path, operations in app.openapi()["paths"].items()
        if "{" in path and path.startswith("/v1/")
        for method in operations
    }
    assert len(routes) > 40  # the check itself must see the routes
    missing = sorted(routes - covered - SHARED_ROUTES)
    assert not missing, f"add these routes to tests/api/isolation.py: {missing}"
