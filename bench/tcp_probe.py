"""TCP connect probes per second against a local listener, next to a bare
`asyncio.open_connection` loop at the same concurrency, in the same run.

The listener runs in its own process (accept and close) so the loops measure the client side.
Rounds alternate the order of the loops and the best of each is kept, which damps noise from
other load. Also shown: the bare loop inside `asyncio.timeout` (the part of the probe's cost
that any checker with a connect timeout pays). Prints the rates, the CPU time per connection
(steadier when other work shares the machine) and, on the last line, the ratio of the probe's
rate to the bare loop's (target >= 0.8).

    .venv/bin/python bench/tcp_probe.py [--connections 2000] [--concurrency 50] [--rounds 4]
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


async def run_loop(
    total: int, concurrency: int, one: Callable[[], Awaitable[None]]
) -> tuple[float, float]:
    """(calls per second, CPU microseconds per call) for `total` calls of `one`,
    `concurrency` at a time. CPU time is this process's only, so it is the steadier figure
    on a machine shared with other work."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await one()

    started, cpu_started = time.perf_counter(), time.process_time()
    async with asyncio.timeout(TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu_us = (time.process_time() - cpu_started) / total * 1e6
    return total / (time.perf_counter() - started), cpu_us


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

    async def bare_with_timeout() -> None:
        # What any real checker adds: a connect timeout.
        async with asyncio.timeout(options.timeout):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    loops = {"bare": bare, "bare+timeout": bare_with_timeout, "probe": probed}
    best = dict.fromkeys(loops, 0.0)
    cpu = dict.fromkeys(loops, float("inf"))
    for round_number in range(args.rounds):
        # Alternate the order: connections leave TIME_WAIT sockets behind that make the next
        # loop's port search a little slower.
        order = list(loops) if round_number % 2 == 0 else list(reversed(loops))
        for name in order:
            rate, cpu_us = await run_loop(args.connections, args.concurrency, loops[name])
            best[name] = max(best[name], rate)
            cpu[name] = min(cpu[name], cpu_us)
    labels = {
        "bare": "bare asyncio.open_connection",
        "bare+timeout": "  same, inside asyncio.timeout",
        "probe": "watchwire tcp probe",
    }
    for name, label in labels.items():
        print(f"{label:32} {best[name]:>8,.0f} connects/s  {cpu[name]:5.0f} µs CPU each")
    print(f"CPU-time ratio bare/probe: {cpu['bare'] / cpu['probe']:.2f}")
    print(f"ratio probe/bare: {best['probe'] / best['bare']:.2f}")


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
