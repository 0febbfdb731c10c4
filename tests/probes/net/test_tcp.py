"""The TCP port probe against real loopback endpoints."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.servers.tcp_servers import (
    GREETING,
    Endpoint,
    binary_greeting_server,
    filtered_port,
    greeting_server,
    loopback_host,
    refused_port,
    silent_server,
)
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes import get_probe
from watchwire.probes.base import ProbeContext
from watchwire.probes.net.tcp import Options, printable, probe
from watchwire.target_policy import IPAddress, TargetPolicy

__all__ = [
    "binary_greeting_server",
    "filtered_port",
    "greeting_server",
    "loopback_host",
    "refused_port",
    "silent_server",
]


def _target(endpoint: Endpoint) -> str:
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    return f"{host}:{endpoint.port}"


async def test_open_port_is_up_with_connect_time(
    greeting_server: Endpoint, probe_ctx: ProbeContext
) -> None:
    result = await probe(_target(greeting_server), Options(), probe_ctx)
    assert result.outcome == "up"
    assert result.address == greeting_server.host
    [port] = result.ports
    assert port.state == "open"
    assert port.port == greeting_server.port
    assert port.connect_ms is not None and 0 < port.connect_ms < 5000
    assert port.banner is None  # not asked for


async def test_banner_is_read_when_asked(
    greeting_server: Endpoint, probe_ctx: ProbeContext
) -> None:
    options = Options(read_banner=True)
    result = await probe(_target(greeting_server), options, probe_ctx)
    assert result.ports[0].banner == GREETING.decode()


async def test_banner_is_capped(greeting_server: Endpoint, probe_ctx: ProbeContext) -> None:
    options = Options(read_banner=True, banner_max_bytes=7)
    result = await probe(_target(greeting_server), options, probe_ctx)
    assert result.ports[0].banner == "SSH-2.0"


async def test_silent_service_is_open_without_banner(
    silent_server: Endpoint, probe_ctx: ProbeContext
) -> None:
    options = Options(read_banner=True, banner_timeout=0.3)
    result = await probe(_target(silent_server), options, probe_ctx)
    assert result.outcome == "up"
    assert result.ports[0].state == "open"
    assert result.ports[0].banner is None


async def test_hostile_banner_is_escaped(
    binary_greeting_server: Endpoint, probe_ctx: ProbeContext
) -> None:
    result = await probe(_target(binary_greeting_server), Options(read_banner=True), probe_ctx)
    banner = result.ports[0].banner
    assert banner == "\\x1b[2J220 h\ufffdllo\\x00\r\n"


async def test_refused_port_is_down(refused_port: Endpoint, probe_ctx: ProbeContext) -> None:
    result = await probe(_target(refused_port), Options(), probe_ctx)
    assert result.outcome == "down"
    assert result.ports[0].state == "refused"
    assert result.reason == f"port {refused_port.port} refused"
    assert [f.code for f in result.findings] == ["port_refused"]


async def test_dropped_syn_is_filtered(filtered_port: Endpoint, probe_ctx: ProbeContext) -> None:
    result = await probe(_target(filtered_port), Options(timeout=0.5), probe_ctx)
    assert result.outcome == "down"
    assert result.ports[0].state == "filtered"
    assert result.ports[0].connect_ms is None
    assert result.findings[0].code == "port_filtered"


async def test_several_ports_in_one_call(
    greeting_server: Endpoint,
    silent_server: Endpoint,
    refused_port: Endpoint,
    probe_ctx: ProbeContext,
) -> None:
    ports = [greeting_server.port, silent_server.port, refused_port.port]
    result = await probe(greeting_server.host, Options(ports=ports), probe_ctx)
    assert [p.port for p in result.ports] == ports
    assert [p.state for p in result.ports] == ["open", "open", "refused"]
    assert result.outcome == "down"

    all_open = Options(ports=ports[:2])
    assert (await probe(greeting_server.host, all_open, probe_ctx)).outcome == "up"


async def test_name_target_resolves(probe_ctx: ProbeContext) -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await probe(f"localhost:{port}", Options(family="ipv4"), probe_ctx)
    finally:
        server.close()
    assert result.host == "localhost"
    assert result.address == "127.0.0.1"  # from /etc/hosts
    assert result.outcome == "up"


async def test_policy_refuses_loopback_by_default(greeting_server: Endpoint) -> None:
    with pytest.raises(TargetNotAllowed):
        await probe(_target(greeting_server), Options(), ProbeContext())


class NoLoopback(TargetPolicy):
    """Allows private targets but refuses loopback: rules of its own, not just switches."""

    def allows(self, address: IPAddress) -> bool:
        return not address.is_loopback


async def test_a_policy_with_rules_of_its_own_is_consulted(
    greeting_server: Endpoint, probe_ctx: ProbeContext
) -> None:
    # The same switches as the allowing context, whose verdict is cached by now.
    assert (await probe(_target(greeting_server), Options(), probe_ctx)).outcome == "up"
    with pytest.raises(TargetNotAllowed):
        await probe(_target(greeting_server), Options(), ProbeContext(policy=NoLoopback(True)))


async def test_missing_port_is_a_probe_error(probe_ctx: ProbeContext) -> None:
    with pytest.raises(ProbeError, match="no port"):
        await probe("127.0.0.1", Options(), probe_ctx)


def test_options_reject_bad_ports() -> None:
    with pytest.raises(ValidationError):
        Options(ports=[0])
    with pytest.raises(ValidationError):
        Options(ports=[70000])
    with pytest.raises(ValidationError):
        Options(port=22)  # type: ignore[call-arg]
    assert Options(ports=[22, 22, 80]).ports == [22, 80]


def test_registered_in_probe_registry() -> None:
    function, options_model = get_probe("tcp")
    assert function is probe and options_model is Options


async def test_result_json_shape(greeting_server: Endpoint, probe_ctx: ProbeContext) -> None:
    data = (await probe(_target(greeting_server), Options(), probe_ctx)).to_json()
    assert data["kind"] == "tcp"
    assert data["ports"][0]["state"] == "open"


@given(st.binary(max_size=200))
def test_printable_never_emits_control_characters(data: bytes) -> None:
    text = printable(data)
    assert all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def test_cli_shows_each_port_and_fails_when_one_is_closed(
    refused_port: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.testing import CliRunner

    from watchwire.cli import check_port
    from watchwire.config import get_settings

    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(check_port.command)
    try:
        done = CliRunner().invoke(app, [_target(refused_port), "--json"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 2  # down
    assert '"state": "refused"' in done.stdout
