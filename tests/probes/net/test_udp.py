"""The udp probe against a real UDP server on loopback: replies matched by substring and
regex, binary payloads, silence and refusal, and the options it refuses."""

from __future__ import annotations

import json
import socketserver
import threading

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from tests.servers.udp_servers import UdpEcho, closed_udp_port, udp_echo
from watchwire.cli import check_udp
from watchwire.config import get_settings
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.udp import Options, probe

__all__ = ["udp_echo"]


async def test_a_matching_reply_is_up_with_its_round_trip(
    udp_echo: UdpEcho, probe_ctx: ProbeContext
) -> None:
    udp_echo.prefix = b"pong "
    options = Options(payload="ping", keyword="pong", regex=r"^pong p\w+$")
    result = await probe(udp_echo.target, options, probe_ctx)
    assert result.outcome == "up", result.reason
    assert udp_echo.received == [b"ping"]
    assert result.reply == "pong ping" and result.reply_bytes == 9 and result.sent_bytes == 4
    assert result.keyword_found and result.regex_matched
    assert result.rtt_ms is not None and result.rtt_ms > 0


async def test_a_hex_payload_is_sent_as_bytes(udp_echo: UdpEcho, probe_ctx: ProbeContext) -> None:
    result = await probe(udp_echo.target, Options(payload_hex="00ff10"), probe_ctx)
    assert result.outcome == "up"
    assert udp_echo.received == [b"\x00\xff\x10"]
    assert result.reply == "\\x00\ufffd\\x10"  # shown as safe text


async def test_a_reply_that_does_not_match_is_down_naming_the_pattern_and_the_reply(
    udp_echo: UdpEcho, probe_ctx: ProbeContext
) -> None:
    udp_echo.prefix = b"ERR "
    result = await probe(udp_echo.target, Options(payload="x", keyword="OK"), probe_ctx)
    assert result.outcome == "down"
    assert result.reason == "reply does not contain 'OK'; it was 'ERR x'"
    regex = await probe(udp_echo.target, Options(payload="x", regex=r"^OK"), probe_ctx)
    assert regex.outcome == "down" and regex.reason is not None
    assert regex.reason.startswith("reply does not match '^OK'")


async def test_silence_is_down_when_a_reply_is_expected_and_up_otherwise(
    udp_echo: UdpEcho, probe_ctx: ProbeContext
) -> None:
    udp_echo.answering = False
    silent = await probe(udp_echo.target, Options(payload="hi", timeout=0.2), probe_ctx)
    assert silent.outcome == "down" and silent.reason == "no reply within 0.2 s"
    sent_only = Options(payload="hi", expect_reply=False, timeout=0.2)
    quiet = await probe(udp_echo.target, sent_only, probe_ctx)
    assert quiet.outcome == "up" and quiet.reply is None
    assert udp_echo.received == [b"hi", b"hi"]


async def test_a_port_nobody_listens_on_is_down_even_without_an_expected_reply(
    probe_ctx: ProbeContext,
) -> None:
    target = f"127.0.0.1:{closed_udp_port()}"
    options = Options(payload="hi", expect_reply=False, timeout=2)
    result = await probe(target, options, probe_ctx)
    assert result.outcome == "down"
    assert result.reason is not None and "unreachable" in result.reason
    assert result.findings[0].code == "port_unreachable"


async def test_targets_and_options_it_refuses(udp_echo: UdpEcho, probe_ctx: ProbeContext) -> None:
    with pytest.raises(ProbeError):
        await probe("127.0.0.1", Options(), probe_ctx)
    with pytest.raises(TargetNotAllowed):
        await probe(udp_echo.target, Options(), ProbeContext())
    for bad in (
        {"payload_hex": "xyz"},
        {"payload": "a", "payload_hex": "00"},
        {"keyword": "a", "expect_reply": False},
        {"regex": "("},
    ):
        with pytest.raises(ValidationError):
            Options.model_validate(bad)


def test_cli_sends_and_shows_the_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    """`watchwire check udp` against an echo server in a thread (the CLI runs its own loop)."""

    class Echo(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            sock.sendto(b"pong " + data, self.client_address)

    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(check_udp.command)
    with socketserver.UDPServer(("127.0.0.1", 0), Echo) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        target = f"127.0.0.1:{server.server_address[1]}"
        try:
            up = CliRunner().invoke(app, [target, "--payload", "hi", "--expect", "pong"])
            down = CliRunner().invoke(app, [target, "--hex", "6869", "--regex", "^PONG", "--json"])
        finally:
            server.shutdown()
            get_settings.cache_clear()
    assert up.exit_code == 0, up.stdout
    assert "reply 7 bytes" in up.stdout and "pong hi" in up.stdout
    assert down.exit_code == 2
    assert json.loads(down.stdout)["reason"].startswith("reply does not match '^PONG'")
