"""`/docs` works with no way out of the machine: its page names only this server's assets,
which are served; the description says how a key is sent, so the page can send one."""

from __future__ import annotations

import re

import httpx


async def test_the_docs_page_loads_only_local_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    urls += re.findall(r"""url: *["']([^"']+)["']""", page.text)
    assert urls, page.text
    assert "/v1/openapi.json" in urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "://" not in page.text.replace("http://www.w3.org", "")
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
    script = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert len(script.content) > 100_000  # the real bundle, not a stand-in


async def test_the_description_declares_how_keys_are_sent(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    described = (await client.get("/v1/openapi.json")).json()
    schemes = described["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {
        **schemes["ApiKeyHeader"],
        "in": "header",
        "name": "X-API-Key",
    }
    assert schemes["ApiKeyQuery"]["in"] == "query"
    assert {schemes["BearerKey"]["scheme"], schemes["BasicKey"]["scheme"]} == {"bearer", "basic"}
    every = [{name: []} for name in schemes]
    for path, operations in described["paths"].items():
        for method, operation in operations.items():
            expected = [] if path in ("/healthz", "/readyz") else every
            assert operation["security"] == expected, (method, path)
    # Each scheme, used as described, is accepted.
    key = auth["X-API-Key"]
    sid, secret = key[:34], key[34:]
    ways = [
        {"headers": {"X-API-Key": key}},
        {"headers": {"Authorization": f"Bearer {key}"}},
        {"params": {"api-key": key}},
        {"auth": (sid, secret)},
    ]
    for way in ways:
        assert (await client.get("/v1/account", **way)).status_code == 200, way  # type: ignore[arg-type]
    assert (await client.get("/v1/account")).status_code == 401
