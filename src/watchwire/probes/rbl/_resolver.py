"""A c-ares channel driven from the running event loop, for the rbl probe's bulk lookups.

aiodns (4.x, on pycares 5) runs every channel on a c-ares event thread of its own: each query
hands the GIL to that thread and each answer comes back through `call_soon_threadsafe`, a
self-pipe write and a loop wake-up. With thousands of small lookups a second on a machine of
two cores, that hand-over, not DNS, is most of the cost. Here c-ares tells us which sockets
to watch (`sock_state_cb`), the loop watches them, and answers arrive in the loop's own
thread: no thread, no cross-thread wake-ups, and no exception object built for every
NXDOMAIN (the common answer of a blocklist).

Timeouts and retries stay c-ares' own (`timeout` per try, doubled on each of `tries`): a
timer asks c-ares to expire overdue queries at the moment `Channel.timeout()` names.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Final

import pycares

# (the answer, or None with the c-ares error number)
Answer = tuple[pycares.DNSResult | None, int | None]

_BAD: Final = pycares.ARES_SOCKET_BAD


class LoopResolver:
    """One c-ares channel to one server, on `loop`. Close it with `close()`."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        server: str,
        *,
        timeout: float,
        tries: int,
        flags: int = 0,
    ) -> None:
        self._loop = loop
        self._timeout = timeout
        self._readers: set[int] = set()
        self._writers: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._channel = pycares.Channel(
            sock_state_cb=self._socket_state,
            timeout=timeout,
            tries=tries,
            flags=flags,
            servers=[server],
        )

    def query(self, name: str, query_type: int) -> asyncio.Future[Answer]:
        """The answer to one query, as a future that never raises (errors are numbers)."""
        future: asyncio.Future[Answer] = self._loop.create_future()
        if self._closed:
            future.set_result((None, pycares.errno.ARES_EDESTRUCTION))
            return future
        try:
            self._channel.query(name, query_type, callback=functools.partial(_deliver, future))
        except pycares.AresError as exc:  # a name c-ares will not send (ARES_EBADNAME, …)
            if not future.done():
                future.set_result((None, int(exc.args[0])))
        return future

    def close(self) -> None:
        """Cancel what is still asked (each such query answers ARES_ECANCELLED) and let go of
        the sockets and the timer."""
        if self._closed:
            return
        self._closed = True
        # Cancelled here, in the loop's thread: pycares destroys a closed channel on a thread
        # of its own, and would otherwise run the pending callbacks there. The socket
        # callbacks of that destruction find _closed set and leave the loop alone.
        self._channel.cancel()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for fd in self._readers:
            self._loop.remove_reader(fd)
        for fd in self._writers:
            self._loop.remove_writer(fd)
        self._readers.clear()
        self._writers.clear()
        self._channel.close()

    # --- what c-ares asks of the loop -----------------------------------------------------

    def _socket_state(self, fd: int, readable: bool, writable: bool) -> None:
        if self._closed:
            return
        if readable and fd not in self._readers:
            self._loop.add_reader(fd, self._channel.process_fd, fd, _BAD)
            self._readers.add(fd)
        elif not readable and fd in self._readers:
            self._loop.remove_reader(fd)
            self._readers.discard(fd)
        if writable and fd not in self._writers:
            self._loop.add_writer(fd, self._channel.process_fd, _BAD, fd)
            self._writers.add(fd)
        elif not writable and fd in self._writers:
            self._loop.remove_writer(fd)
            self._writers.discard(fd)
        if not (self._readers or self._writers):
            if self._timer is not None:  # nothing in flight: no timeouts to watch
                self._timer.cancel()
                self._timer = None
        elif self._timer is None:
            self._arm_timer()

    def _arm_timer(self) -> None:
        # When the earliest query falls due (never later than one try's timeout from now).
        delay: float = self._channel.timeout(self._timeout)  # type: ignore[no-untyped-call]
        self._timer = self._loop.call_later(delay, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._closed:
            return
        self._channel.process_fd(_BAD, _BAD)  # c-ares retries or fails the overdue queries
        if self._readers or self._writers:
            self._arm_timer()


def _deliver(
    future: asyncio.Future[Answer], result: pycares.DNSResult | None, errno: int | None
) -> None:
    if not future.done():  # cancelled by a caller that stopped waiting
        future.set_result((result, errno))
