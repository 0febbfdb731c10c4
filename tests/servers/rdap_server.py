"""A real RDAP server on loopback (aiohttp) serving RFC 9083 domain objects, and a bootstrap
file (RFC 9224) that points test TLDs at it.

    async def test_x(rdap_server: RdapServer, tmp_path: Path) -> None:
        rdap_server.register("shop.test", expires=now + timedelta(days=20))
        bootstrap = rdap_server.bootstrap(tmp_path, tlds=["test"])
        result = await rdap.probe("shop.test", rdap.Options(bootstrap_file=bootstrap), ctx)

`register` answers `GET /rdap/domain/<name>` with a domain object whose `events` carry the
expiration (and registration) dates; unknown names get 404, `fail(name, status)` makes a
name answer with an error status, `redirect(name)` sends it through a 302 first.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web


def domain_object(
    name: str, expires: datetime | None, registrar: str = "Example Registrar, Inc."
) -> dict[str, Any]:
    """An RFC 9083 domain object as registries publish it (events, entities, nameservers)."""
    events: list[dict[str, str]] = [
        {"eventAction": "registration", "eventDate": "2015-03-01T10:00:00Z"},
        {"eventAction": "last changed", "eventDate": "2026-01-15T08:30:00Z"},
    ]
    if expires is not None:
        stamp = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        events.insert(1, {"eventAction": "expiration", "eventDate": stamp})
    events.append(
        {"eventAction": "last update of RDAP database", "eventDate": "2026-11-24T00:00:00Z"}
    )
    return {
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
        "handle": f"{name.upper()}-TEST",
        "ldhName": name,
        "status": ["client transfer prohibited"],
        "events": events,
        "entities": [
            {
                "objectClassName": "entity",
                "handle": "9999",
                "roles": ["registrar"],
                "vcardArray": [
                    "vcard",
                    [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]],
                ],
            }
        ],
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": "NS1.EXAMPLE.NET"},
            {"objectClassName": "nameserver", "ldhName": "ns2.example.net"},
        ],
    }


@dataclass
class RdapServer:
    base: str = ""
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    redirects: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The base URL a bootstrap file names (RFC 9224: ends with a slash)."""
        return self.base + "/rdap/"

    def register(
        self, name: str, *, expires: datetime | None, registrar: str = "Example Registrar, Inc."
    ) -> None:
        self.documents[name.lower()] = domain_object(name.lower(), expires, registrar)
        self.failures.pop(name.lower(), None)

    def fail(self, name: str, status: int) -> None:
        self.failures[name.lower()] = status

    def redirect(self, name: str) -> None:
        self.redirects.add(name.lower())

    def bootstrap(self, directory: Path, tlds: list[str]) -> Path:
        """A dns.json naming this server for `tlds` (and a public TLD elsewhere)."""
        path = directory / "dns.json"
        path.write_text(
            json.dumps(
                {
                    "version": "1.0",
                    "publication": "2026-11-24T00:00:00Z",
                    "services": [
                        [tlds, [self.url]],
                        [["com"], ["https://rdap.verisign.com/com/v1/"]],
                    ],
                }
            )
        )
        return path

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"].lower()
        self.requests.append(name)
        if name in self.redirects and request.path.startswith("/rdap/"):
            raise web.HTTPFound(f"/moved/domain/{name}")
        if name in self.failures:
            return web.Response(status=self.failures[name], text="registry trouble")
        document = self.documents.get(name)
        if document is None:
            return web.json_response(
                {"errorCode": 404, "title": "Not Found"},
                status=404,
                content_type="application/rdap+json",
            )
        return web.json_response(document, content_type="application/rdap+json")


async def start_rdap_server(host: str = "127.0.0.1") -> tuple[RdapServer, web.AppRunner]:
    server = RdapServer()
    app = web.Application()
    app.router.add_get("/rdap/domain/{name}", server.handle)
    app.router.add_get("/moved/domain/{name}", server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base = f"http://{host}:{port}"
    return server, runner


@pytest.fixture
async def rdap_server() -> AsyncIterator[RdapServer]:
    server, runner = await start_rdap_server()
    try:
        yield server
    finally:
        await runner.cleanup()
