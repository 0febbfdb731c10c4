"""uvicorn, with every pending connection accepted as soon as the listening socket is readable.

Since libuv 1.45, uvloop's servers accept one connection per event-loop iteration. Under load
an iteration runs tens of milliseconds of requests, so a burst of new connections is let in
one by one: the fiftieth of 50 clients connecting together waited ~0.7 s for its first
response (packet capture during bench/api_latency.py, while established connections were
answered within ~45 ms). Here the socket is watched with `add_reader` and drained with
`accept()` each time, the way asyncio's own loop accepts, and each connection is handed to
uvicorn's protocol through `connect_accepted_socket`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Generator

import uvicorn

log = logging.getLogger("watchwire")

# Accepted per wake-up at most, so a flood of connections cannot keep the loop from serving
# the ones it already has; the rest are taken on the next iteration.
ACCEPT_BATCH = 256


class GreedyListener:
    """A listening socket whose pending connections are all accepted on each wake-up. Has
    the `close`/`wait_closed` of an asyncio server, which is all uvicorn's shutdown uses."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._factory = protocol_factory
        self._opening: set[asyncio.Task[object]] = set()
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._accept_pending)

    def _accept_pending(self) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors, aborted handshake: try next time
                log.warning("accepting a connection failed: %s", exc)
                return
            conn.setblocking(False)
            opening = self._loop.create_task(
                self._loop.connect_accepted_socket(self._factory, conn)
            )
            self._opening.add(opening)
            opening.add_done_callback(self._opened)

    def _opened(self, task: asyncio.Task[object]) -> None:
        self._opening.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("setting up a connection failed: %s", task.exception())

    def close(self) -> None:
        if self._sock.fileno() != -1:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()

    async def wait_closed(self) -> None:
        return None


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """The listening socket for HOST:PORT; OSError (address in use, not this machine's) as
    the operating system says it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=backlog)


class Server(uvicorn.Server):
    """uvicorn's server over a GreedyListener. With `own_signals`, uvicorn leaves SIGTERM and
    SIGINT to the caller (which drains background work before the server stops). `sock` is
    a socket already listening (bound before anything was announced); without one the
    server binds the config's host and port itself."""

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        own_signals: bool = False,
        sock: socket.socket | None = None,
    ) -> None:
        super().__init__(config)
        self._own_signals = own_signals
        self._sock = sock

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if self._own_signals:
            yield
            return
        with super().capture_signals():
            yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        config = self.config
        listening = self._sock or listen(config.host, config.port, config.backlog)
        # No sockets for uvicorn: it runs the lifespan and keeps its state; we listen.
        await super().startup(sockets=[])
        server_state, app_state = self.server_state, self.lifespan.state

        def protocol_factory() -> asyncio.Protocol:
            # uvicorn types its protocol class as a bare asyncio.Protocol.
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=server_state, app_state=app_state
            )

        loop = asyncio.get_running_loop()
        self.servers.append(GreedyListener(loop, listening, protocol_factory))  # type: ignore[arg-type]
