"""A loopback stand-in for the self-hosted notification services (ntfy, Gotify, Mattermost,
a Matrix homeserver, a Power Automate workflow): the part of each HTTP API that Apprise
calls, answering as the real service does, and recording every request.

- ntfy: `POST /` with the JSON publish body (`topic`, `title`, `message`; `X-Priority`).
- Gotify: `POST {prefix}/message` with `X-Gotify-Key`.
- Mattermost: `POST {prefix}/hooks/{token}`.
- Matrix (client-server API v3, access token in `Authorization: Bearer`):
  `GET /_matrix/client/v3/account/whoami`, `POST …/join/{room}` (answers the room id),
  `PUT …/rooms/{room_id}/send/m.room.message/{txn}`.
- Workflows: `POST /workflows/{id}/triggers/manual/paths/invoke?…&sig=…` (202).

`status` set to an HTTP status makes every request answer it (Matrix-style error body).
`service_receiver` serves plain HTTP; `tls_service_receiver` serves HTTPS with a trustme
certificate for 127.0.0.1 whose CA requests trusts through REQUESTS_CA_BUNDLE.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web

MATRIX_ROOM_ID = "!ops2kq:example.org"


@dataclass
class ServiceRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class ServiceReceiver:
    base: str = ""
    status: int = 200
    requests: list[ServiceRequest] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


def _app(receiver: ServiceReceiver) -> web.Application:
    async def answer(request: web.Request) -> web.StreamResponse:
        receiver.requests.append(
            ServiceRequest(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                await request.read(),
            )
        )
        path = request.path
        if receiver.status != 200:
            error = {"errcode": "M_FORBIDDEN", "error": "refused", "message": "refused"}
            return web.json_response(error, status=receiver.status)
        if path.endswith("/account/whoami"):
            return web.json_response({"user_id": "@watchwire:example.org", "device_id": "DEV1"})
        if "/_matrix/client/v3/join/" in path:
            return web.json_response({"room_id": MATRIX_ROOM_ID})
        if "/send/m.room.message/" in path:
            return web.json_response({"event_id": "$event1"})
        if "/triggers/manual/paths/invoke" in path:
            return web.Response(status=202)
        return web.json_response({"id": 1})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


async def _serve(receiver: ServiceReceiver, ssl_context: Any = None) -> web.AppRunner:
    runner = web.AppRunner(_app(receiver), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    scheme = "https" if ssl_context else "http"
    receiver.base = f"{scheme}://127.0.0.1:{runner.addresses[0][1]}"
    return runner


@pytest.fixture
async def service_receiver() -> AsyncIterator[ServiceReceiver]:
    receiver = ServiceReceiver()
    runner = await _serve(receiver)
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def tls_service_receiver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceReceiver]:
    import ssl

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    # requests (Apprise's client) reads this when it verifies, as it does by default.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    receiver = ServiceReceiver()
    runner = await _serve(receiver, context)
    try:
        yield receiver
    finally:
        await runner.cleanup()
