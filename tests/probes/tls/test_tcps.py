"""The tcps probe against real TLS servers on loopback: a good certificate is up with its
phases and leaf, every certificate a client would refuse is down with the reason, and a port
that refuses or does not speak TLS is down as well."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.servers.plain_tls import free_port
from tests.servers.tcps_servers import TlsService, tls_service
from tests.servers.tls_servers import (
    Case,
    TlsEndpoint,
    tls_cases,
    tls_server,
    tls_server_in_thread,
    write_pem,
)
from watchwire.cli import check_tcps
from watchwire.config import get_settings
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.tcps import Options, probe

__all__ = ["tls_cases", "tls_server", "tls_service"]

StartServer = Callable[..., Awaitable[TlsEndpoint]]


@pytest.fixture
def roots(tls_cases: dict[str, Case], tmp_path: Path) -> Path:
    return write_pem(tmp_path / "roots.pem", tls_cases["good"].root)


async def test_a_good_certificate_is_up_with_both_phases_and_the_leaf(
    tls_service: TlsService, probe_ctx: ProbeContext
) -> None:
    options = Options(ca_pem=tls_service.ca_pem, server_name="localhost")
    result = await probe(tls_service.target, options, probe_ctx)
    assert result.outcome == "up", result.findings
    assert result.reason is None and result.trusted and result.hostname_matches
    assert result.connect_ms is not None and result.handshake_ms is not None
    assert result.tls_version in ("TLSv1.2", "TLSv1.3") and result.cipher is not None
    assert result.certificate is not None and result.certificate.days_left > 30
    assert result.chain_length >= 1 and result.address == "127.0.0.1"
    assert result.to_json()["kind"] == "tcps"


async def test_the_system_store_does_not_trust_a_private_ca(
    tls_service: TlsService, probe_ctx: ProbeContext
) -> None:
    result = await probe(tls_service.target, Options(server_name="localhost"), probe_ctx)
    assert result.outcome == "down" and result.trusted is False
    assert result.reason is not None and "trusted root" in result.reason


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("expired", "cert_expired", "expired on"),
        ("not_yet_valid", "cert_not_yet_valid", "not valid before"),
        ("mismatch", "name_mismatch", "does not cover localhost"),
        ("self_signed", "self_signed", "self-signed"),
        ("untrusted", "untrusted_chain", "trusted root"),
    ],
)
async def test_a_certificate_a_client_refuses_is_down_with_the_reason(
    tls_server: StartServer,
    roots: Path,
    probe_ctx: ProbeContext,
    case: str,
    code: str,
    words: str,
) -> None:
    server = await tls_server(case)
    options = Options(ca_file=roots, server_name="localhost")
    result = await probe(server.target, options, probe_ctx)
    assert result.outcome == "down"
    assert code in {f.code for f in result.findings}
    assert result.reason is not None and words in result.reason
    assert result.certificate is not None and result.handshake_ms is not None


async def test_close_expiry_is_a_warning_unless_the_check_wants_more_days(
    tls_server: StartServer, roots: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("expiring")  # five days left
    warned = await probe(server.target, Options(ca_file=roots), probe_ctx)
    assert warned.outcome == "up" and "cert_expiring" in {f.code for f in warned.findings}
    strict = await probe(server.target, Options(ca_file=roots, min_days_left=7), probe_ctx)
    assert strict.outcome == "down"
    assert strict.reason == (
        "The certificate expires in 5 days, fewer than the 7 this check requires."
    )


async def test_a_refused_port_and_a_plaintext_service_are_down(
    probe_ctx: ProbeContext, roots: Path
) -> None:
    refused = await probe(f"127.0.0.1:{free_port()}", Options(ca_file=roots), probe_ctx)
    assert refused.outcome == "down" and refused.connect_ms is None
    assert refused.reason is not None and "refused the connection" in refused.reason

    async def plaintext(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 hello, no TLS here\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(plaintext, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        result = await probe(f"127.0.0.1:{port}", Options(ca_file=roots), probe_ctx)
    finally:
        server.close()
        await server.wait_closed()
    assert result.outcome == "down" and result.connect_ms is not None
    assert result.reason is not None and result.reason.startswith("The TLS handshake failed")
    assert result.findings[0].code == "handshake_failed"


async def test_a_silent_server_times_out_in_the_handshake(
    probe_ctx: ProbeContext, roots: Path
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):  # the ClientHello, never answered, until EOF
            pass
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        result = await probe(f"127.0.0.1:{port}", Options(ca_file=roots, timeout=0.3), probe_ctx)
    finally:
        server.close()
        await server.wait_closed()
    assert result.outcome == "down"
    assert result.reason == (
        f"The TLS handshake to 127.0.0.1 port {port} did not finish within 0.3 s."
    )


async def test_policy_and_a_bad_ca_raise(
    tls_server: StartServer, tmp_path: Path, probe_ctx: ProbeContext
) -> None:
    server = await tls_server("good")
    with pytest.raises(TargetNotAllowed):
        await probe(server.target, Options(), ProbeContext())
    missing = Options(ca_file=tmp_path / "nowhere.pem")
    with pytest.raises(ProbeError) as info:
        await probe(server.target, missing, probe_ctx)
    assert info.value.code == "bad_ca_file"


def test_it_is_registered_as_a_probe_kind() -> None:
    function, options = get_probe("tcps")
    assert function is probe and options is Options


def test_cli_checks_a_server_and_fails_when_the_certificate_is_refused(
    tls_cases: dict[str, Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`watchwire check tcps` against a TLS server in a thread (the CLI runs its own loop)."""
    roots = write_pem(tmp_path / "roots.pem", tls_cases["good"].root)
    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(check_tcps.command)
    (tmp_path / "good").mkdir()
    (tmp_path / "expired").mkdir()
    try:
        with tls_server_in_thread(tls_cases["good"], tmp_path / "good") as good:
            up = CliRunner().invoke(
                app, [good.target, "--ca-file", str(roots), "--sni", "localhost"]
            )
        with tls_server_in_thread(tls_cases["expired"], tmp_path / "expired") as expired:
            down = CliRunner().invoke(app, [expired.target, "--ca-file", str(roots), "--json"])
    finally:
        get_settings.cache_clear()
    assert up.exit_code == 0, up.stdout
    assert "handshake" in up.stdout and "days left" in up.stdout
    assert down.exit_code == 2
    assert json.loads(down.stdout)["findings"][0]["code"] == "cert_expired"
