"""000's tools answered by local servers: check.php grading a page's headers, dns.php
against knotd (and DNSSEC through a validating unbound), ssl.php against a trustme TLS
server, ip.php from the embedded data, ping.php pinging, checking a port and tracing the
route on loopback; and each page under /api/v4 too ("Use v3 — identical in v4")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.dialects.enterno.conftest import data_of, error_of, sqlite_only
from tests.servers.dns_servers import (
    KnotServer,
    UnboundServer,
    Zone,
    dnssec_tree,
    knot_factory,
    validating_unbound,
)
from tests.servers.http_servers import Server, http_server
from tests.servers.plain_tls import Endpoint, https_server, starttls_ca, starttls_cert

__all__ = [
    "dnssec_tree",
    "http_server",
    "https_server",
    "knot_factory",
    "starttls_ca",
    "starttls_cert",
    "validating_unbound",
]

database = pytest.fixture(sqlite_only)


@pytest.fixture
async def open_port() -> AsyncIterator[int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def test_check_grades_the_headers(enterno: httpx.AsyncClient, http_server: Server) -> None:
    secure = data_of(
        await enterno.get("/api/v3/check.php", params={"url": http_server.base + "/secure"})
    )
    assert secure["status_code"] == 200 and secure["method"] == "GET"
    assert secure["headers"]["Server"] == "nginx"
    assert secure["timing"]["total_ms"] > 0
    assert 0 <= secure["score"] <= 100 and secure["grade"]
    names = {c["name"] for c in secure["categories"]}
    assert len(names) >= 9
    insecure = data_of(
        await enterno.get("/api/v4/check.php", params={"url": http_server.base + "/insecure"})
    )
    assert insecure["score"] < secure["score"]
    assert len(insecure["findings"]) > len(secure["findings"])


async def test_check_takes_method_follow_and_timeout(
    enterno: httpx.AsyncClient, http_server: Server
) -> None:
    url = http_server.base + "/chain/2"
    followed = data_of(await enterno.get("/api/v3/check.php", params={"url": url}))
    assert len(followed["redirects"]) == 2 and followed["status_code"] == 200
    kept = data_of(await enterno.post("/api/v3/check.php", data={"url": url, "follow": "0"}))
    assert kept["status_code"] in (301, 302, 303, 307, 308) and kept["redirects"] == []
    head = data_of(await enterno.get("/api/v3/check.php", params={"url": url, "method": "head"}))
    assert head["method"] == "HEAD"
    bad = error_of(
        await enterno.get("/api/v3/check.php", params={"url": url, "follow": "maybe"}),
        400,
        "missing_parameter",
    )
    assert bad["details"][0]["field"] == "follow"
    slow = error_of(
        await enterno.get("/api/v3/check.php", params={"url": url, "timeout": "0"}),
        400,
        "missing_parameter",
    )
    assert slow["details"][0] == {
        "field": "timeout",
        "rule": "minimum",
        "message": "timeout must be 1 or more",
    }


async def test_dns_against_a_local_authoritative_server(
    enterno: httpx.AsyncClient, knot_factory: Callable[..., KnotServer]
) -> None:
    knot = knot_factory([Zone("tools.test.", "www A 192.0.2.10\n@ MX 10 mail.tools.test.\n")])
    for prefix in ("/api/v3", "/api/v4"):
        params = {"domain": "tools.test", "type": "mx", "server": knot.server}
        data = data_of(await enterno.get(f"{prefix}/dns.php", params=params))
        assert [a["value"] for a in data["answers"]] == ["10 mail.tools.test."]
        assert data["type"] == "MX"
    error = error_of(
        await enterno.get("/api/v3/dns.php", params={"domain": "tools.test", "type": "BOGUS"}),
        400,
        "missing_parameter",
    )
    assert error["details"][0]["field"] == "type"


async def test_dns_reports_dnssec(
    enterno: httpx.AsyncClient, validating_unbound: UnboundServer
) -> None:
    params = {"server": validating_unbound.server, "dnssec": "true", "validation": "resolver-ad"}
    good = data_of(
        await enterno.get("/api/v3/dns.php", params={"domain": "www.good.watchwire.test", **params})
    )
    assert good["dnssec"]["status"] == "secure" and good["answers"]
    bad = data_of(
        await enterno.get(
            "/api/v3/dns.php", params={"domain": "www.badsig.watchwire.test", **params}
        )
    )
    assert bad["dnssec"]["status"] == "bogus"


async def test_ssl_reports_the_chain_and_its_findings(
    enterno: httpx.AsyncClient, https_server: Endpoint
) -> None:
    params = {"host": "localhost", "port": https_server.port}
    data = data_of(await enterno.get("/api/v3/ssl.php", params=params))
    assert (data["host"], data["port"]) == ("localhost", https_server.port)
    assert data["chain"][0]["fingerprint_sha256"].startswith("SHA256:")
    # The test CA is not among the system's roots: the chain is reported untrusted.
    assert "untrusted_chain" in {f["code"] for f in data["findings"]}
    error = error_of(
        await enterno.get("/api/v4/ssl.php", params={"host": "localhost", "port": 0}),
        400,
        "missing_parameter",
    )
    assert error["details"][0]["field"] == "port"


async def test_ip_locates_an_address_or_a_host(enterno: httpx.AsyncClient) -> None:
    google = data_of(
        await enterno.get("/api/v3/ip.php", params={"ip": "8.8.8.8", "reverse_dns": "0"})
    )
    assert google["addresses"][0]["asn"] == 15169
    local = data_of(
        await enterno.get("/api/v4/ip.php", params={"host": "127.0.0.1", "reverse_dns": "0"})
    )
    assert local["addresses"][0]["category"] == "loopback"
    error_of(await enterno.get("/api/v3/ip.php"), 400, "missing_parameter")


async def test_ping_port_and_traceroute(enterno: httpx.AsyncClient, open_port: int) -> None:
    ping = data_of(await enterno.get("/api/v3/ping.php", params={"host": "127.0.0.1", "count": 1}))
    assert ping["packets_received"] == 1 and ping["loss_pct"] == 0
    assert ping["min_ms"] is not None and ping["avg_ms"] <= ping["max_ms"]
    port = data_of(
        await enterno.get(
            "/api/v3/ping.php", params={"host": "127.0.0.1", "type": "port", "port": open_port}
        )
    )
    assert port["ports"][0]["state"] == "open"
    trace = data_of(
        await enterno.get(
            "/api/v4/ping.php", params={"host": "127.0.0.1", "type": "traceroute", "max_hops": 3}
        )
    )
    assert trace["hops"][-1]["address"] == "127.0.0.1"
    too_many = error_of(
        await enterno.get("/api/v3/ping.php", params={"host": "127.0.0.1", "count": 11}),
        400,
        "missing_parameter",
    )
    assert too_many["details"][0]["rule"] == "maximum"
    no_port = error_of(
        await enterno.get("/api/v3/ping.php", params={"host": "127.0.0.1", "type": "port"}),
        400,
        "missing_parameter",
    )
    assert no_port["details"][0] == {
        "field": "port",
        "rule": "required",
        "message": "port is required for type=port",
    }
