"""The tls probe against real TLS servers on loopback, one per kind of certificate trouble."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import trustme
import typer
from pydantic import ValidationError

from tests.servers.mail_servers import smtp_server, smtp_without_starttls
from tests.servers.plain_tls import Endpoint, starttls_ca, starttls_cert
from tests.servers.tls_servers import (
    Case,
    TlsEndpoint,
    serve,
    tls_cases,
    tls_server,
    trustme_ca,
    write_pem,
)
from watchwire.errors import TargetNotAllowed
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.certificate import fingerprint_sha256
from watchwire.probes.tls.tls import Options, Result, probe

__all__ = [
    "smtp_server",
    "smtp_without_starttls",
    "starttls_ca",
    "starttls_cert",
    "tls_cases",
    "tls_server",
    "trustme_ca",
]

StartServer = Callable[..., Awaitable[TlsEndpoint]]


@pytest.fixture
def roots(tls_cases: dict[str, Case], tmp_path: Path) -> Path:
    return write_pem(tmp_path / "roots.pem", tls_cases["good"].root)


def options(roots: Path, **overrides: object) -> Options:
    return Options.model_validate(
        {"ca_file": roots, "check_revocation": False, "timeout": 20, **overrides}
    )


def codes(result: Result) -> set[str]:
    return {f.code for f in result.findings}


async def test_good_chain_is_reported_as_presented(
    tls_server: StartServer, tls_cases: dict[str, Case], roots: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("good")
    result = await probe(server.target, options(roots), probe_ctx)
    assert result.outcome == "up", result.findings
    assert result.findings == []
    assert result.tls_version == "TLSv1.3"
    assert result.cipher is not None and result.cipher.name.startswith("TLS_")
    assert result.trusted and result.hostname_matches
    assert result.legacy_versions_accepted == []
    presented = [c.cert for c in tls_cases["good"].chain]
    assert [c.fingerprint_sha256 for c in result.chain] == [
        fingerprint_sha256(c) for c in presented
    ]
    assert result.chain[0].subject == "CN=localhost,O=watchwire tests"
    assert result.trusted_path[-1] == fingerprint_sha256(tls_cases["good"].root.cert)
    assert (result.address, result.port) == ("127.0.0.1", server.port)
    assert result.to_json()["chain"][1]["is_ca"] is True


EXPECTED = {
    "expired": ({"cert_expired"}, "down"),
    "not_yet_valid": ({"cert_not_yet_valid"}, "down"),
    "expiring": ({"cert_expiring"}, "up"),
    "mismatch": ({"name_mismatch"}, "down"),
    "self_signed": ({"self_signed"}, "down"),
    "untrusted": ({"untrusted_chain"}, "down"),
    "missing_intermediate": ({"untrusted_chain", "incomplete_chain"}, "down"),
    "wrong_order": ({"chain_order"}, "up"),
    "expired_intermediate": ({"untrusted_chain", "intermediate_expired"}, "down"),
    "weak_rsa": ({"weak_key"}, "down"),
    "sha1": ({"weak_signature", "untrusted_chain"}, "down"),
    "too_long": ({"validity_too_long"}, "up"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
async def test_each_bad_server_gets_its_findings(
    tls_server: StartServer, roots: Path, probe_ctx: ProbeContext, case: str
) -> None:
    server = await tls_server(case)
    result = await probe(server.target, options(roots), probe_ctx)
    expected_codes, outcome = EXPECTED[case]
    assert codes(result) == expected_codes
    assert result.outcome == outcome
    if outcome == "down":
        assert result.reason == next(
            f.message for f in result.findings if f.severity in ("error", "critical")
        )


async def test_wrong_order_is_kept_as_the_server_sent_it(
    tls_server: StartServer, tls_cases: dict[str, Case], roots: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("wrong_order")
    result = await probe(server.target, options(roots), probe_ctx)
    assert [c.subject for c in result.chain] == [
        c.cert.subject.rfc4514_string() for c in tls_cases["wrong_order"].chain
    ]
    assert result.trusted  # clients that reorder still get there


async def test_wildcard_name_and_sni(
    tls_server: StartServer, roots: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("wildcard")
    good = await probe(server.target, options(roots, server_name="www.example.test"), probe_ctx)
    deep = await probe(server.target, options(roots, server_name="a.b.example.test"), probe_ctx)
    assert codes(good) == set() and good.hostname_matches
    assert codes(deep) == {"name_mismatch"} and not deep.hostname_matches
    assert server.sni[:2] == ["www.example.test", "a.b.example.test"]


async def test_legacy_versions_are_found(
    tls_server: StartServer, roots: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("good", legacy=True)
    result = await probe(server.target, options(roots), probe_ctx)
    assert result.legacy_versions_accepted == ["TLSv1", "TLSv1.1"]
    assert codes(result) == {"legacy_tls_version"}
    assert result.outcome == "up"
    quiet = await probe(server.target, options(roots, check_legacy_versions=False), probe_ctx)
    assert quiet.legacy_versions_accepted == [] and quiet.findings == []


async def test_system_store_is_the_default(
    tls_server: StartServer, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("good")
    result = await probe(server.target, Options(check_revocation=False), probe_ctx)
    assert codes(result) == {"untrusted_chain"}
    [untrusted] = result.findings
    assert untrusted.details is not None and untrusted.details["roots"] == "system"


async def test_trustme_ca_from_the_context(
    trustme_ca: trustme.CA, tmp_path: Path, probe_ctx: ProbeContext
) -> None:
    import ssl

    leaf = trustme_ca.issue_cert("localhost", "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    server, port = await serve(context)
    ca_file = tmp_path / "trustme.pem"
    trustme_ca.cert_pem.write_to_path(str(ca_file))
    ctx = ProbeContext(policy=probe_ctx.policy, ca_file=ca_file)
    async with server:
        result = await probe(f"localhost:{port}", Options(check_revocation=False), ctx)
    assert result.trusted and result.hostname_matches, result.findings
    assert result.server_name == "localhost"


async def test_ipv6_target(tls_server: StartServer, roots: Path, probe_ctx: ProbeContext) -> None:
    server = await tls_server("good", host="::1")
    result = await probe(server.target, options(roots, server_name="localhost"), probe_ctx)
    assert result.outcome == "up" and result.address == "::1"


async def test_refused_port_is_a_connection_failure(roots: Path, probe_ctx: ProbeContext) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and is closed now
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    result = await probe(f"127.0.0.1:{closed_port}", options(roots), probe_ctx)
    assert result.outcome == "down"
    [failure] = result.findings
    assert failure.code == "connection_failed"
    assert failure.severity == "critical"
    assert failure.details is not None and failure.details["category"] == "connection_failure"
    assert f"port {closed_port}" in failure.message
    assert "refused" in failure.message.lower()


@pytest.fixture
async def not_tls_server() -> AsyncIterator[int]:
    """A server that answers the ClientHello in plain HTTP, as a misconfigured port does."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def test_plain_server_is_a_handshake_failure(
    not_tls_server: int, roots: Path, probe_ctx: ProbeContext
) -> None:
    result = await probe(f"127.0.0.1:{not_tls_server}", options(roots), probe_ctx)
    assert result.outcome == "down"
    assert codes(result) == {"handshake_failed"}
    assert "handshake" in result.findings[0].message


async def test_target_policy_refuses_loopback_by_default(tls_server: StartServer) -> None:
    server = await tls_server("good")
    with pytest.raises(TargetNotAllowed):
        await probe(server.target, Options(), ProbeContext())


async def test_default_port_follows_the_protocol(probe_ctx: ProbeContext, roots: Path) -> None:
    result = await probe("127.0.0.1", options(roots, protocol="smtps", timeout=5), probe_ctx)
    assert (result.port, result.protocol) == (465, "smtps")


def test_options_are_strict() -> None:
    with pytest.raises(ValidationError):
        Options.model_validate({"protocol": "gopher"})
    with pytest.raises(ValidationError):
        Options.model_validate({"verify": False})
    assert Options().protocol == "https"


def test_registered_as_tls() -> None:
    function, options_model = get_probe("tls")
    assert function is probe and options_model is Options


def test_cli_shows_chain_and_findings(
    tls_cases: dict[str, Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tests.servers.tls_servers import tls_server_in_thread
    from watchwire.cli.check_ssl import command
    from watchwire.config import get_settings

    app = typer.Typer()
    app.command()(command)
    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    roots = write_pem(tmp_path / "roots.pem", tls_cases["good"].root)
    try:
        with tls_server_in_thread(tls_cases["expiring"], tmp_path) as server:
            args = [server.target, "--ca-file", str(roots), "--no-revocation"]
            human = CliRunner().invoke(app, args)
            as_json = CliRunner().invoke(app, [*args, "--json"])
            refused = CliRunner().invoke(app, [server.target, "--protocol", "gopher"])
    finally:
        get_settings.cache_clear()
    assert human.exit_code == 0, human.output
    assert "Chain as presented" in human.output
    assert "cert_expiring" in human.output
    assert "TLSv1.3" in human.output
    data = json.loads(as_json.stdout)
    assert data["chain"][0]["days_left"] == 5
    assert [f["code"] for f in data["findings"]] == ["cert_expiring"]
    assert refused.exit_code == 1


async def test_smtp_starttls_certificate(
    smtp_server: Endpoint,
    smtp_without_starttls: Endpoint,
    starttls_ca: trustme.CA,
    tmp_path: Path,
    probe_ctx: ProbeContext,
) -> None:
    ca_file = tmp_path / "ca.pem"
    starttls_ca.cert_pem.write_to_path(str(ca_file))
    opts = Options(protocol="smtp", ca_file=ca_file, server_name="localhost", timeout=30)
    result = await probe(f"{smtp_server.host}:{smtp_server.port}", opts, probe_ctx)
    assert result.trusted and result.hostname_matches, result.findings
    assert result.tls_version in ("TLSv1.2", "TLSv1.3")
    assert "localhost" in smtp_server.sni
    plain = f"{smtp_without_starttls.host}:{smtp_without_starttls.port}"
    refused = await probe(plain, opts, probe_ctx)
    assert refused.outcome == "down"
    assert [f.code for f in refused.findings] == ["starttls_unsupported"]
    assert refused.findings[0].details is not None
    assert refused.findings[0].details["category"] == "connection_failure"


async def test_silent_server_times_out(roots: Path, probe_ctx: ProbeContext) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # hears the ClientHello, says nothing until the client gives up
        finally:
            writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await probe(f"127.0.0.1:{port}", options(roots, timeout=1), probe_ctx)
    assert result.outcome == "down"
    [failure] = result.findings
    assert failure.code == "connection_failed"
    assert failure.details is not None and failure.details["cause"] == "timeout"
    assert "within 1s" in failure.message
