"""Real aiohttp servers on loopback for the http and headers probes.

`http_server` (127.0.0.1), `http6_server` (::1) and `https_server` (127.0.0.1 with a trustme
certificate) all serve `target_app`: pages that answer well, slowly, hugely, with redirect
chains and loops, with good or poor security headers. `bystander_server` listens on 127.0.0.2
and counts every request it gets, to prove a refused redirect never reached it.
`https_redirector` answers every plain-HTTP request with a redirect to the https server.
`threaded_http_server` serves the same app from a thread, for synchronous callers (the CLI).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiohttp import web

HUGE_BODY_BYTES = 64 * 1024 * 1024
SECURE_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), camera=()",
    "Cache-Control": "no-cache",
}
PAGE = "<html><body>" + "watchwire says hello " * 100 + "</body></html>"


@dataclass
class Server:
    """A running test server: its base URL and the requests it received (method, path)."""

    base: str
    host: str
    port: int
    hits: list[tuple[str, str]] = field(default_factory=list)
    ca_file: Path | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="hello world, all good", content_type="text/plain")


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("seconds", "30")))
    return web.Response(text="finally")


async def _echo(request: web.Request) -> web.Response:
    body = await request.text()
    answer = {"method": request.method, "headers": dict(request.headers), "body": body}
    return web.json_response(answer)


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="status page")


async def _chain(request: web.Request) -> web.Response:
    """/chain/3 → /chain/2 → /chain/1 → /chain/0 (200)."""
    left = int(request.match_info["n"])
    if left == 0:
        return web.Response(text="end of the chain")
    raise web.HTTPFound(f"/chain/{left - 1}")


async def _loop_a(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/loop/b")


async def _loop_b(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/loop/a")


async def _to(request: web.Request) -> web.Response:
    # Sent raw: aiohttp's HTTPFound would refuse the malformed locations some tests need.
    return web.Response(status=302, headers={"Location": request.query["url"]})


async def _cookie_then(request: web.Request) -> web.Response:
    """Sets a cookie and redirects to `url`, as login and consent walls do."""
    response = web.HTTPFound(request.query["url"])
    response.set_cookie("visit", "1")
    raise response


async def _see_other(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/echo")


async def _huge(request: web.Request) -> web.StreamResponse:
    """64 MiB of text, streamed; a probe that kept it all would show it in memory."""
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.content_length = HUGE_BODY_BYTES
    await response.prepare(request)
    chunk = b"x" * 65536
    try:
        for _ in range(HUGE_BODY_BYTES // len(chunk)):
            await response.write(chunk)
    except (ConnectionResetError, RuntimeError):
        pass  # the probe stopped reading, as it should
    return response


async def _secure(request: web.Request) -> web.Response:
    body = gzip.compress(PAGE.encode())
    headers = {**SECURE_HEADERS, "Content-Encoding": "gzip", "Server": "nginx"}
    response = web.Response(body=body, content_type="text/html", headers=headers)
    response.set_cookie("session", "s3cret", secure=True, httponly=True, samesite="Strict")
    return response


async def _insecure(request: web.Request) -> web.Response:
    headers = {"Server": "Apache/2.4.1 (Unix)", "X-Powered-By": "PHP/5.6.40"}
    response = web.Response(text=PAGE, content_type="text/html", headers=headers)
    response.set_cookie("session", "plain")
    return response


async def _json_headers(request: web.Request) -> web.Response:
    return web.Response(text=json.dumps(dict(request.headers)), content_type="application/json")


def target_app(hits: list[tuple[str, str]]) -> web.Application:
    @web.middleware
    async def record(
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        hits.append((request.method, request.path))
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/ok", _ok)
    app.router.add_get("/slow", _slow)
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/chain/{n}", _chain)
    app.router.add_get("/loop/a", _loop_a)
    app.router.add_get("/loop/b", _loop_b)
    app.router.add_get("/to", _to)
    app.router.add_get("/cookie-then", _cookie_then)
    app.router.add_post("/see-other", _see_other)
    app.router.add_get("/huge", _huge)
    app.router.add_get("/secure", _secure)
    app.router.add_get("/insecure", _insecure)
    app.router.add_get("/request-headers", _json_headers)
    return app


async def _serve(
    app: web.Application, host: str, ssl_context: ssl.SSLContext | None = None
) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, 0, ssl_context=ssl_context)
    await site.start()
    port = int(runner.addresses[0][1])
    return runner, port


def _base(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


@pytest.fixture
async def http_server() -> AsyncIterator[Server]:
    hits: list[tuple[str, str]] = []
    runner, port = await _serve(target_app(hits), "127.0.0.1")
    yield Server(_base("http", "127.0.0.1", port), "127.0.0.1", port, hits)
    await runner.cleanup()


@pytest.fixture
async def http6_server() -> AsyncIterator[Server]:
    hits: list[tuple[str, str]] = []
    runner, port = await _serve(target_app(hits), "::1")
    yield Server(_base("http", "::1", port), "::1", port, hits)
    await runner.cleanup()


@pytest.fixture
async def bystander_server() -> AsyncIterator[Server]:
    hits: list[tuple[str, str]] = []
    runner, port = await _serve(target_app(hits), "127.0.0.2")
    yield Server(_base("http", "127.0.0.2", port), "127.0.0.2", port, hits)
    await runner.cleanup()


@pytest.fixture(scope="session")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def test_ca_file(test_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("http-ca") / "ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
async def https_server(test_ca: trustme.CA, test_ca_file: Path) -> AsyncIterator[Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    hits: list[tuple[str, str]] = []
    runner, port = await _serve(target_app(hits), "127.0.0.1", context)
    yield Server(_base("https", "127.0.0.1", port), "127.0.0.1", port, hits, test_ca_file)
    await runner.cleanup()


@pytest.fixture
async def https_redirector(https_server: Server) -> AsyncIterator[Server]:
    """Plain HTTP on 127.0.0.1 that sends every request to the same path on https_server."""

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(https_server.url(request.path_qs))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    runner, port = await _serve(app, "127.0.0.1")
    yield Server(_base("http", "127.0.0.1", port), "127.0.0.1", port)
    await runner.cleanup()


@pytest.fixture
def threaded_http_server() -> Iterator[Server]:
    """`target_app` on 127.0.0.1 in its own thread and event loop, for synchronous callers
    such as the CLI, which runs its own loop."""
    hits: list[tuple[str, str]] = []
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box: dict[str, object] = {}

    async def start() -> None:
        box["runner"], box["port"] = await _serve(target_app(hits), "127.0.0.1")
        started.set()

    def main() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert started.wait(30), "the threaded test server did not start"
    port = int(str(box["port"]))
    yield Server(_base("http", "127.0.0.1", port), "127.0.0.1", port, hits)
    runner = box["runner"]
    assert isinstance(runner, web.AppRunner)
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    loop.close()
