"""TCP connect probes per second against a local listener, next to a bare
`asyncio.open_connection` loop at the same concurrency, in the same run.

The listener runs in its own process (accept and close) so both loops measure the client side.
Rounds alternate the order (bare first, then probe first) and the best of each is kept, which damps noise from other load.
Prints both rates and the ratio; the last line is the ratio (target >= 0.8).

    .venv/bin/python bench/tcp_probe.py [--connections 2000] [--concurrency 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import time
from collections.abc import Awaitable, Callable

import uvloop

from watchwire.probes.base import ProbeContext
from watchwire.probes.tcp import Options, probe
from watchwire.target_policy import TargetPolicy

TIME_LIMIT_S = 60.0


def serve(listener: socket.socket) -> None:
    while True:
        conn, _ = listener.accept()
        conn.close()


async def run_loop(total: int, concurrency: int, one: Callable[[], Awaitable[None]]) -> float:
    """Connections per second for `total` calls of `one`, `concurrency` at a time."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one()

    started = time.perf_counter()
    async with asyncio.timeout(TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def main(args: argparse.Namespace, port: int) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
    options = Options()
    target = f"127.0.0.1:{port}"

    async def bare() -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    async def probed() -> None:
        result = await probe(target, options, ctx)
        assert result.outcome == "up", result.reason

    best = {"bare": 0.0, "probe": 0.0}
    loops = {"bare": bare, "probe": probed}
    for round_number in range(args.rounds):
        # Alternate which loop goes first: connections leave TIME_WAIT sockets behind that
        # make the next round's port search a little slower.
        order = ["bare", "probe"] if round_number % 2 == 0 else ["probe", "bare"]
        for name in order:
            rate = await run_loop(args.connections, args.concurrency, loops[name])
            best[name] = max(best[name], rate)
    best_bare, best_probe = best["bare"], best["probe"]
    print(f"bare asyncio.open_connection: {best_bare:,.0f} connects/s")
    print(f"watchwire tcp probe:          {best_probe:,.0f} probes/s")
    print(f"ratio probe/bare: {best_probe / best_bare:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    arguments = parser.parse_args()
    listening = socket.create_server(("127.0.0.1", 0), backlog=4096)
    server = multiprocessing.Process(target=serve, args=(listening,), daemon=True)
    server.start()
    try:
        uvloop.run(main(arguments, listening.getsockname()[1]))
    finally:
        server.terminate()
        server.join()
