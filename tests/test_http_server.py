"""The HTTP server: uvicorn over a listener that lets a burst of connections in at once."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from watchwire.http_server import GreedyListener, Server


class _Counting(asyncio.Protocol):
    made: list[asyncio.BaseTransport] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.made.append(transport)


async def test_one_wake_up_accepts_every_pending_connection() -> None:
    loop = asyncio.get_running_loop()
    listening = socket.create_server(("127.0.0.1", 0), backlog=64)
    port = listening.getsockname()[1]
    listener = GreedyListener(loop, listening, _Counting)
    loop.remove_reader(listening.fileno())  # drive it by hand: one wake-up, below
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
    try:
        listener._accept_pending()
        await asyncio.sleep(0.05)  # the connection set-up tasks
        assert len(_Counting.made) == 20
    finally:
        for transport in _Counting.made:
            transport.close()
        for client in clients:
            client.close()
        listener.close()
    assert listening.fileno() == -1


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


async def test_server_answers_a_burst_of_clients_and_stops() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(uvicorn.Config(_hello, host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    for _ in range(500):  # up to 5 s for the start-up
        if server.started:
            break
        await asyncio.sleep(0.01)
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
        answers = await asyncio.gather(*(client.get("/") for _ in range(50)))
    assert {(a.status_code, a.text) for a in answers} == {(200, "hello")}
    server.should_exit = True
    await asyncio.wait_for(serving, 10)
    # The listening socket is closed with the server.
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        raise AssertionError("still accepting after shutdown")
    except ConnectionRefusedError:
        pass
