"""The one-off tools over the native API: every tool answers from a real local target, scopes
gate them, options are validated at the face, and the server's target policy applies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import trustme

from tests.conftest import client_for
from tests.servers.dns_servers import KnotServer, Zone, knot_factory
from tests.servers.plain_tls import Endpoint, https_server, starttls_ca, starttls_cert
from tests.servers.rbldnsd import RbldnsdFactory, rbldnsd_factory
from watchwire.app import create_app
from watchwire.config import Settings
from watchwire.runtime import Runtime
from watchwire.services.tools import TOOLS
from watchwire.store.database import Database

__all__ = ["https_server", "knot_factory", "rbldnsd_factory", "starttls_ca", "starttls_cert"]


@pytest.fixture
async def tcp_target() -> AsyncIterator[int]:
    """A plain HTTP/1.0 responder on loopback, good for the port, http and headers tools."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nwatchwire tool target")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def _tool(
    client: httpx.AsyncClient, auth: dict[str, str], name: str, **params: object
) -> dict:  # type: ignore[type-arg]
    response = await client.get(f"/v1/tools/{name}", params=params, headers=auth)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


async def test_port_tool(client: httpx.AsyncClient, auth: dict[str, str], tcp_target: int) -> None:
    data = await _tool(client, auth, "port", target="127.0.0.1", ports=f"{tcp_target},1")
    states = {p["port"]: p["state"] for p in data["ports"]}
    assert states == {tcp_target: "open", 1: "refused"}


async def test_http_and_headers_tools(
    client: httpx.AsyncClient, auth: dict[str, str], tcp_target: int
) -> None:
    url = f"http://127.0.0.1:{tcp_target}/"
    http = await _tool(client, auth, "http", target=url, keyword="tool target")
    assert http["outcome"] == "up"
    assert http["status"] == 200
    headers = (
        await client.post(
            "/v1/tools/headers", json={"target": url, "check_http_redirect": False}, headers=auth
        )
    ).json()["data"]
    assert 0 <= headers["score"] <= 100
    assert {f["code"] for f in headers["findings"]} >= {"csp_missing"}


async def test_ping_and_traceroute_tools(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    ping = await _tool(client, auth, "ping", target="127.0.0.1", count=1)
    assert ping["packets_received"] == 1
    trace = await _tool(
        client, auth, "traceroute", target="127.0.0.1", max_hops=3, probes_per_hop=1
    )
    assert trace["hops"][-1]["address"] == "127.0.0.1"


async def test_ip_tool_uses_local_data(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    data = await _tool(client, auth, "ip", target="8.8.8.8", reverse_dns="false")
    assert data["addresses"][0]["asn"] == 15169


async def test_ssl_tool_takes_a_ca_as_text(
    client: httpx.AsyncClient, auth: dict[str, str], https_server: Endpoint, starttls_ca: trustme.CA
) -> None:
    response = await client.post(
        "/v1/tools/ssl",
        json={
            "target": f"localhost:{https_server.port}",
            "ca_pem": starttls_ca.cert_pem.bytes().decode(),
            "check_revocation": False,
            "check_legacy_versions": False,
        },
        headers=auth,
    )
    data = response.json()["data"]
    assert response.status_code == 200, response.text
    assert data["chain"][0]["fingerprint_sha256"].startswith("SHA256:")
    assert "untrusted_chain" not in {f["code"] for f in data["findings"]}


async def test_rbl_tool(
    client: httpx.AsyncClient, auth: dict[str, str], rbldnsd_factory: RbldnsdFactory
) -> None:
    server = rbldnsd_factory(
        {"bl.tools.test": ("ip4set", [":127.0.0.2:listed for tests", "192.0.2.9"])}
    )
    data = await _tool(
        client, auth, "rbl", target="192.0.2.9", lists="bl.tools.test", resolver=server.address
    )
    assert data["lists"][0]["status"] == "listed"


@pytest.mark.parametrize("name", sorted(TOOLS))
async def test_each_tool_needs_its_scope(
    client: httpx.AsyncClient, auth: dict[str, str], name: str
) -> None:
    scope = TOOLS[name].scope
    other = "dns" if scope != "dns" else "check"
    key = (await client.post("/v1/keys", json={"scopes": [other]}, headers=auth)).json()["data"]
    response = await client.get(
        f"/v1/tools/{name}?target=127.0.0.1", headers={"X-API-Key": key["key"]}
    )
    assert response.status_code == 403
    assert scope in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("request_kwargs", "field", "rule"),
    [
        ({"params": {"target": "127.0.0.1", "bogus": "1"}}, "bogus", "unknown_field"),
        ({"params": {"target": "127.0.0.1", "ports": "http"}}, "ports.0", "int_parsing"),
        ({"params": {"ports": "80"}}, "target", "required"),
        ({"method": "POST", "content": b"[1]"}, "body", "object"),
    ],
)
async def test_bad_options_name_the_field(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    request_kwargs: dict[str, object],
    field: str,
    rule: str,
) -> None:
    request_kwargs = dict(request_kwargs)  # parametrised values are shared between runs
    method = str(request_kwargs.pop("method", "GET"))
    response = await client.request(method, "/v1/tools/port", headers=auth, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400
    detail = response.json()["error"]["details"][0]
    assert (detail["field"], detail["rule"]) == (field, rule)


async def test_server_files_cannot_be_named_over_the_api(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get(
        "/v1/tools/ssl", params={"target": "localhost", "ca_file": "/etc/shadow"}, headers=auth
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0] == {
        "field": "ca_file",
        "rule": "local_only",
        "message": "ca_file names a file on the server and is not accepted over the API",
    }


async def test_default_policy_refuses_internal_targets(database: Database, tcp_target: int) -> None:
    runtime = Runtime.build(Settings(secret_key="k"), db=database)  # no private targets
    created = await runtime.accounts.create_account("a")
    async with client_for(create_app(runtime)) as client:
        response = await client.get(
            "/v1/tools/port",
            params={"target": "127.0.0.1", "ports": str(tcp_target)},
            headers={"X-API-Key": created.key},
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "target_not_allowed"
    assert "WATCHWIRE_ALLOW_PRIVATE_TARGETS" in response.json()["error"]["message"]


async def test_dns_tool_against_a_local_authoritative_server(
    client: httpx.AsyncClient, auth: dict[str, str], knot_factory: Callable[..., KnotServer]
) -> None:
    knot = knot_factory([Zone("tools.test.", "www A 192.0.2.10\n@ MX 10 mail.tools.test.\n")])
    data = await _tool(client, auth, "dns", target="tools.test", type="MX", server=knot.server)
    assert [a["value"] for a in data["answers"]] == ["10 mail.tools.test."]
