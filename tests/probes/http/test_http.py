"""The http probe against real aiohttp servers on 127.0.0.1 and ::1."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import trustme
import typer
from pydantic import ValidationError
from typer.testing import CliRunner, Result
from yarl import URL

from tests.servers.http_servers import (
    HUGE_BODY_BYTES,
    Server,
    bystander_server,
    http6_server,
    http_server,
    https_server,
    test_ca,
    test_ca_file,
    threaded_http_server,
)
from watchwire.errors import ProbeError, TargetNotAllowed
from watchwire.probes.base import ProbeContext
from watchwire.probes.http import http
from watchwire.target_policy import IPAddress, TargetPolicy

__all__ = [  # fixtures used by name
    "bystander_server",
    "http6_server",
    "http_server",
    "https_server",
    "test_ca",
    "test_ca_file",
    "threaded_http_server",
]

SLOW = 0.4  # long enough to measure on a busy machine, short enough to keep the suite fast


def opts(**values: object) -> http.Options:
    return http.Options.model_validate(values)


async def test_good_page_is_up_with_status_size_headers_and_timings(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url("/ok"), opts(), probe_ctx)
    assert result.outcome == "up", result.reason
    assert result.status == 200
    assert result.size_bytes == len("hello world, all good")
    assert result.headers["Content-Type"].startswith("text/plain")
    assert result.address == "127.0.0.1"
    assert result.tls_version is None and result.timings.tls_handshake_ms is None
    timings = result.timings
    assert timings.dns_lookup_ms is None  # a literal address needs no lookup
    assert timings.tcp_connect_ms is not None and timings.tcp_connect_ms > 0
    assert timings.first_byte_ms is not None and timings.transfer_ms is not None
    assert timings.total_ms >= timings.tcp_connect_ms + timings.first_byte_ms
    assert result.to_json()["timings"]["total_ms"] == timings.total_ms


async def test_a_name_is_looked_up_and_timed(http_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(f"http://localhost:{http_server.port}/ok", opts(), probe_ctx)
    assert result.outcome == "up"
    assert result.timings.dns_lookup_ms is not None and result.timings.dns_lookup_ms >= 0
    assert result.address == "127.0.0.1"


async def test_first_byte_time_is_the_servers_think_time(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url(f"/slow?seconds={SLOW}"), opts(), probe_ctx)
    assert result.outcome == "up"
    assert result.timings.first_byte_ms is not None
    assert result.timings.first_byte_ms >= SLOW * 1000 * 0.9
    assert (result.timings.tcp_connect_ms or 0) < SLOW * 1000


async def test_slow_server_times_out_as_down_with_the_phase(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url("/slow"), opts(timeout=0.5), probe_ctx)
    assert result.outcome == "down"
    assert result.findings[0].code == "timeout"
    assert "0.5 s" in (result.reason or "") and "waiting first byte" in (result.reason or "")
    assert result.duration_ms < 5000


async def test_refused_connection_is_down(probe_ctx: ProbeContext) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        result = await http.probe(f"http://127.0.0.1:{port}/", opts(), probe_ctx)
    assert result.outcome == "down"
    assert result.findings[0].code == "connection_failed"
    assert result.status is None


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (b"SMTP ready, not HTTP\r\n\r\n", "invalid_response"),
        (b"HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n", "invalid_response"),
        (b"", "server_disconnected"),
    ],
)
async def test_a_server_that_does_not_speak_http_is_down(
    probe_ctx: ProbeContext, reply: bytes, code: str
) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await http.probe(f"http://127.0.0.1:{port}/", opts(timeout=5), probe_ctx)
    finally:
        server.close()
        await server.wait_closed()
    assert result.outcome == "down"
    assert result.findings[0].code == code
    assert result.status is None


async def test_redirect_chain_is_followed_and_recorded(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url("/chain/3"), opts(), probe_ctx)
    assert result.outcome == "up"
    assert result.final_url == http_server.url("/chain/0")
    assert [(hop.status, hop.location) for hop in result.redirects] == [
        (302, "/chain/2"),
        (302, "/chain/1"),
        (302, "/chain/0"),
    ]
    assert all(hop.total_ms > 0 and hop.address == "127.0.0.1" for hop in result.redirects)
    assert result.timings.redirects_ms == pytest.approx(
        sum(hop.total_ms for hop in result.redirects), abs=0.01
    )
    assert result.timings.total_ms > result.timings.redirects_ms


async def test_redirects_not_followed_when_asked(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url("/chain/3"), opts(follow_redirects=False), probe_ctx)
    assert result.status == 302 and result.outcome == "up"
    assert result.headers["Location"] == "/chain/2"
    assert http_server.hits == [("GET", "/chain/3")]


async def test_redirect_loop_ends_with_a_clear_outcome(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(http_server.url("/loop/a"), opts(), probe_ctx)
    assert result.outcome == "down"
    assert result.findings[0].code == "redirect_loop"
    assert len(result.redirects) == 2
    assert len(http_server.hits) == 2


@pytest.mark.parametrize("location", ["ftp://files.example/", "http://[::1", "mailto:a@b.c"])
async def test_a_redirect_to_an_unusable_url_is_down(
    http_server: Server, probe_ctx: ProbeContext, location: str
) -> None:
    from urllib.parse import quote

    result = await http.probe(http_server.url(f"/to?url={quote(location)}"), opts(), probe_ctx)
    assert result.outcome == "down"
    assert result.findings[0].code == "bad_redirect"
    assert result.redirects[0].location == location


async def test_too_many_redirects(http_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(http_server.url("/chain/5"), opts(max_redirects=2), probe_ctx)
    assert result.outcome == "down"
    assert result.findings[0].code == "too_many_redirects"
    assert len(result.redirects) == 3
    assert len(http_server.hits) == 3


async def test_huge_body_is_capped_without_holding_it_in_memory(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    tracemalloc.start()
    try:
        result = await http.probe(
            http_server.url("/huge"), opts(max_body_bytes=100_000, keyword="xxx"), probe_ctx
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "up"
    assert result.body_truncated is True
    assert result.keyword_found is True
    assert result.content_length == HUGE_BODY_BYTES
    assert 100_000 < result.size_bytes < 1_000_000
    assert any(f.code == "body_truncated" for f in result.findings)
    assert peak < 16 * 1024 * 1024  # the 64 MiB body never came near memory


@pytest.mark.parametrize(
    ("options", "outcome", "code"),
    [
        ({"keyword": "all good"}, "up", None),
        ({"keyword": "all bad"}, "down", "keyword_missing"),
        ({"keyword": "all good", "match_absent": True}, "down", "keyword_present"),
        ({"keyword": "exception", "match_absent": True}, "up", None),
        ({"regex": r"hello\s+\w+, all"}, "up", None),
        ({"regex": r"^all good"}, "down", "regex_missing"),
        ({"regex": r"(?i)HELLO WORLD", "match_absent": True}, "down", "regex_present"),
    ],
)
async def test_keyword_and_regex(
    http_server: Server,
    probe_ctx: ProbeContext,
    options: dict[str, object],
    outcome: str,
    code: str | None,
) -> None:
    result = await http.probe(http_server.url("/ok"), opts(**options), probe_ctx)
    assert result.outcome == outcome
    if code is not None:
        assert result.findings[0].code == code
        assert result.reason == result.findings[0].message


@pytest.mark.parametrize(
    ("path", "expected", "outcome"),
    [
        ("/status/200", ["2xx", "3xx"], "up"),
        ("/status/503", ["2xx", "3xx"], "down"),
        ("/status/404", ["404"], "up"),
        ("/status/418", ["400-417", "419-499"], "down"),
        ("/status/204", ["200"], "down"),
    ],
)
async def test_expected_status(
    http_server: Server, probe_ctx: ProbeContext, path: str, expected: list[str], outcome: str
) -> None:
    result = await http.probe(http_server.url(path), opts(expected_status=expected), probe_ctx)
    assert result.outcome == outcome
    if outcome == "down":
        assert result.findings[0].code == "unexpected_status"
        assert str(result.status) in (result.reason or "")


async def test_post_sends_body_and_custom_headers(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    result = await http.probe(
        http_server.url("/echo"),
        opts(
            method="POST",
            body='{"ping": 1}',
            headers={"Content-Type": "application/json", "X-Probe": "yes"},
            keyword='"X-Probe": "yes"',
        ),
        probe_ctx,
    )
    assert result.outcome == "up", result.reason
    assert http_server.hits == [("POST", "/echo")]


async def test_post_echo_body_arrives_intact(http_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(
        http_server.url("/echo"),
        opts(method="POST", body="a=1&b=2", regex=r'"body": "a=1&b=2"'),
        probe_ctx,
    )
    assert result.outcome == "up", result.reason
    assert result.regex_matched is True


async def test_see_other_turns_post_into_get(http_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(
        http_server.url("/see-other"), opts(method="POST", body="x"), probe_ctx
    )
    assert result.outcome == "up"
    assert http_server.hits == [("POST", "/see-other"), ("GET", "/echo")]


async def test_head_reads_no_body(http_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(http_server.url("/ok"), opts(method="HEAD"), probe_ctx)
    assert result.outcome == "up" and result.status == 200
    assert result.size_bytes == 0
    assert http_server.hits == [("HEAD", "/ok")]


async def test_ipv6_target(http6_server: Server, probe_ctx: ProbeContext) -> None:
    result = await http.probe(http6_server.url("/ok"), opts(ip_version=6), probe_ctx)
    assert result.outcome == "up"
    assert result.address == "::1"


async def test_ip_version_is_enforced(
    http_server: Server, http6_server: Server, probe_ctx: ProbeContext
) -> None:
    with pytest.raises(ProbeError, match="not an IPv4 address"):
        await http.probe(http6_server.url("/ok"), opts(ip_version=4), probe_ctx)
    # localhost has no ::1 entry in this machine's hosts file: no IPv6 address to use.
    only_v6 = await http.probe(
        f"http://localhost:{http_server.port}/ok", opts(ip_version=6), probe_ctx
    )
    assert only_v6.outcome == "down"
    assert only_v6.findings[0].code == "dns_error"
    v4 = await http.probe(f"http://localhost:{http_server.port}/ok", opts(ip_version=4), probe_ctx)
    assert v4.outcome == "up" and v4.address == "127.0.0.1"


async def test_https_with_the_right_ca_reports_tls_version_and_handshake(
    https_server: Server,
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=https_server.ca_file)
    result = await http.probe(https_server.url("/ok"), opts(), ctx)
    assert result.outcome == "up", result.reason
    assert result.tls_version in ("TLSv1.2", "TLSv1.3")
    assert result.tls_cipher
    assert result.timings.tls_handshake_ms is not None and result.timings.tls_handshake_ms > 0


async def test_https_without_the_ca_is_down_unless_verification_is_off(
    https_server: Server, probe_ctx: ProbeContext
) -> None:
    refused = await http.probe(https_server.url("/ok"), opts(), probe_ctx)
    assert refused.outcome == "down"
    assert refused.findings[0].code == "tls_certificate_invalid"
    assert "certificate" in (refused.reason or "").lower()
    unverified = await http.probe(https_server.url("/ok"), opts(verify_tls=False), probe_ctx)
    assert unverified.outcome == "up" and unverified.tls_version is not None


@pytest.fixture
def slow_handshake_server(test_ca: trustme.CA) -> Iterator[int]:
    """Accepts TCP at once but starts TLS only after SLOW seconds, then answers one request
    per connection. A blocking server on its own thread, so any event loop can probe it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1").configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            time.sleep(SLOW)  # the ClientHello waits in the socket buffer meanwhile
            try:
                raw.settimeout(10)
                with context.wrap_socket(raw, server_side=True) as conn:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except (OSError, ssl.SSLError):
                raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(10)
    listener.close()


async def test_tls_handshake_time_is_split_from_tcp_connect(
    slow_handshake_server: int, test_ca_file: Path
) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=test_ca_file)
    result = await http.probe(f"https://127.0.0.1:{slow_handshake_server}/", opts(), ctx)
    assert result.outcome == "up", result.reason
    assert result.timings.tls_handshake_ms is not None
    assert result.timings.tls_handshake_ms >= SLOW * 1000 * 0.9
    assert (result.timings.tcp_connect_ms or 0) < SLOW * 1000 * 0.5


@pytest.mark.parametrize("runner", ["asyncio", "uvloop"])
def test_on_either_event_loop_tls_is_timed_and_pooled_sessions_close_with_the_loop(
    runner: str, slow_handshake_server: int, test_ca_file: Path
) -> None:
    """The CLI and the workers run on uvloop, the tests on asyncio: both must split TCP from
    TLS the same way and close the probe's pooled sessions when the loop shuts down."""
    import uvloop

    from watchwire.probes.http import _transport

    async def main() -> tuple[http.Result, list[aiohttp.ClientSession]]:
        ctx = ProbeContext(policy=TargetPolicy(allow_private=True), ca_file=test_ca_file)
        url = f"https://127.0.0.1:{slow_handshake_server}/"
        result = await http.probe(url, opts(), ctx)
        loop = asyncio.get_running_loop()
        return result, list(_transport._POOLS[loop].sessions.values())

    result, sessions = uvloop.run(main()) if runner == "uvloop" else asyncio.run(main())
    assert result.outcome == "up", result.reason
    assert (result.timings.tls_handshake_ms or 0) >= SLOW * 1000 * 0.9
    assert (result.timings.tcp_connect_ms or 0) < SLOW * 1000 * 0.5
    assert sessions and all(session.closed for session in sessions)


async def test_default_policy_refuses_loopback(http_server: Server) -> None:
    with pytest.raises(TargetNotAllowed, match="loopback"):
        await http.probe(http_server.url("/ok"), opts(), ProbeContext())
    with pytest.raises(TargetNotAllowed):
        await http.probe(f"http://localhost:{http_server.port}/ok", opts(), ProbeContext())
    assert http_server.hits == []


class OnlyFirstLoopback(TargetPolicy):
    """Allows 127.0.0.1 and nothing else, so a redirect to 127.0.0.2 must be refused."""

    def allows(self, address: IPAddress) -> bool:
        return str(address) == "127.0.0.1"


async def test_redirect_to_a_refused_address_is_refused_before_connecting(
    http_server: Server, bystander_server: Server
) -> None:
    ctx = ProbeContext(policy=OnlyFirstLoopback())
    result = await http.probe(
        http_server.url(f"/to?url={bystander_server.url('/ok')}"), opts(), ctx
    )
    assert result.outcome == "error"
    assert result.findings[0].code == "target_not_allowed"
    assert "127.0.0.2" in (result.reason or "")
    assert [hop.location for hop in result.redirects] == [bystander_server.url("/ok")]
    assert bystander_server.hits == []  # never contacted
    # The same redirect is followed when the policy allows the bystander.
    allowed = await http.probe(
        http_server.url(f"/to?url={bystander_server.url('/ok')}"),
        opts(),
        ProbeContext(policy=TargetPolicy(allow_private=True)),
    )
    assert allowed.outcome == "up" and bystander_server.hits == [("GET", "/ok")]


async def test_credentials_are_not_sent_to_another_origin(
    http_server: Server, bystander_server: Server, probe_ctx: ProbeContext
) -> None:
    secret = {"Authorization": "Bearer s3cret", "X-Trace": "1"}
    same_origin = await http.probe(
        http_server.url("/request-headers"), opts(headers=secret, keyword="s3cret"), probe_ctx
    )
    assert same_origin.outcome == "up", same_origin.reason
    redirected = http_server.url(f"/to?url={bystander_server.url('/request-headers')}")
    kept = await http.probe(redirected, opts(headers=secret, keyword="X-Trace"), probe_ctx)
    assert kept.outcome == "up", kept.reason
    dropped = await http.probe(
        redirected, opts(headers=secret, keyword="s3cret", match_absent=True), probe_ctx
    )
    assert dropped.outcome == "up", dropped.reason


async def test_cookies_follow_redirects_to_their_host_only_and_never_to_the_next_probe(
    http_server: Server, bystander_server: Server, probe_ctx: ProbeContext
) -> None:
    same_host = http_server.url("/request-headers")
    kept = await http.probe(
        http_server.url(f"/cookie-then?url={same_host}"), opts(keyword="visit=1"), probe_ctx
    )
    assert kept.outcome == "up", kept.reason
    elsewhere = bystander_server.url("/request-headers")
    dropped = await http.probe(
        http_server.url(f"/cookie-then?url={elsewhere}"),
        opts(keyword="visit=1", match_absent=True),
        probe_ctx,
    )
    assert dropped.outcome == "up", dropped.reason
    later = await http.probe(same_host, opts(keyword="visit", match_absent=True), probe_ctx)
    assert later.outcome == "up", later.reason


@pytest.mark.parametrize(
    "target", ["ftp://example.test/", "http://", "https://exa mple.test:99999/"]
)
async def test_invalid_targets_raise(target: str, probe_ctx: ProbeContext) -> None:
    with pytest.raises(ProbeError):
        await http.probe(target, opts(), probe_ctx)


def test_bare_host_means_https() -> None:
    assert str(http.target_url("example.test")) == "https://example.test/"


@pytest.mark.parametrize(
    "values",
    [
        {"expected_status": ["20x"]},
        {"expected_status": ["299-200"]},
        {"expected_status": []},
        {"regex": "("},
        {"headers": {"Bad Name": "x"}},
        {"headers": {"X-Ok": "a\r\nInjected: 1"}},
        {"timeout": 0},
        {"method": "TRACE"},
        {"unknown": True},
    ],
)
def test_invalid_options_are_rejected(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        http.Options.model_validate(values)


# ---- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Runs `watchwire check http …` in-process with loopback targets allowed."""
    from watchwire.cli import check_http
    from watchwire.config import get_settings

    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "true")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(check_http.command)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    yield invoke
    get_settings.cache_clear()


def test_cli_prints_timings_and_exits_0_when_up(
    cli: Callable[..., Result], threaded_http_server: Server
) -> None:
    outcome = cli(threaded_http_server.url("/chain/1"), "--keyword", "end of the chain")
    assert outcome.exit_code == 0, outcome.output
    for text in ("redirects", "TCP connect", "first byte", "up:", "200"):
        assert text in outcome.output


def test_cli_json_and_failing_expectation(
    cli: Callable[..., Result], threaded_http_server: Server
) -> None:
    outcome = cli(threaded_http_server.url("/status/503"), "--json")
    assert outcome.exit_code == 2
    data = json.loads(outcome.stdout)
    assert data["status"] == 503 and data["outcome"] == "down"
    assert data["findings"][0]["code"] == "unexpected_status"


def test_cli_sends_method_headers_and_body(
    cli: Callable[..., Result], threaded_http_server: Server
) -> None:
    outcome = cli(
        threaded_http_server.url("/echo"),
        "-X",
        "post",
        "-H",
        "X-Probe: cli",
        "-d",
        "payload",
        "--regex",
        '"X-Probe": "cli".*"body": "payload"',
    )
    assert outcome.exit_code == 0, outcome.output
    assert threaded_http_server.hits == [("POST", "/echo")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-H", "no colon here"], "Name: value"),
        (["--expect", "20x"], "expected_status"),
        (["-4", "-6"], "not both"),
    ],
)
def test_cli_bad_input_is_one_clear_line(
    cli: Callable[..., Result], threaded_http_server: Server, args: list[str], message: str
) -> None:
    outcome = cli(threaded_http_server.url("/ok"), *args)
    assert outcome.exit_code == 1
    assert message in outcome.output
    assert "Traceback" not in outcome.output
    assert threaded_http_server.hits == []


def test_cli_honours_the_target_policy(
    cli: Callable[..., Result], threaded_http_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchwire.config import get_settings

    monkeypatch.setenv("WATCHWIRE_ALLOW_PRIVATE_TARGETS", "false")
    get_settings.cache_clear()
    outcome = cli(threaded_http_server.url("/ok"))
    assert outcome.exit_code == 1
    assert "target policy refuses" in outcome.output
    assert threaded_http_server.hits == []


async def test_cache_bust_adds_a_fresh_random_parameter(
    http_server: Server, probe_ctx: ProbeContext
) -> None:
    options = http.Options(cache_bust=True)
    first = await http.probe(http_server.base + "/ok?lang=en", options, probe_ctx)
    second = await http.probe(http_server.base + "/ok?lang=en", options, probe_ctx)
    assert first.outcome == "up" and first.url.startswith(http_server.base + "/ok?lang=en&")
    busted = [URL(r.url).query[http.CACHE_BUST_PARAMETER] for r in (first, second)]
    assert len(set(busted)) == 2 and all(len(b) == 16 for b in busted)
    plain = await http.probe(http_server.base + "/ok", http.Options(), probe_ctx)
    assert http.CACHE_BUST_PARAMETER not in plain.url
