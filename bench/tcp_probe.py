"""TCP connect probes per second against a local listener, next to a bare
`asyncio.open_connection` loop at the same concurrency, in the same run.

The listener runs in its own process (accept and close) so the loops measure the client side.
Each round runs the loops back to back, alternating their order, and yields one paired
ratio; the median over the rounds damps the noise of a shared machine. Also shown: the bare
loop inside `asyncio.timeout` (the part of the probe's cost that any checker with a connect
timeout pays). Prints the rates, the CPU time per connection (steadier when other work
shares the machine) and, on the last line, the median ratio of the probe's rate to the bare
loop's (target >= 0.8).

    .venv/bin/python bench/tcp_probe.py [--connections 5000] [--concurrency 50] [--rounds 21]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import selectors
import socket
import statistics
import time
from collections.abc import Awaitable, Callable

import uvloop

from watchwire.probes.base import ProbeContext
from watchwire.probes.net.tcp import Options, probe
from watchwire.target_policy import TargetPolicy

TIME_LIMIT_S = 60.0


# Connections spread over this many listening ports: each closed connection leaves a
# TIME_WAIT socket for its (address, port) pair, and with one destination the ~28,000 local
# ports of the ephemeral range fill up within a round, after which every connect searches for
# a reusable one; that search, not the code under test, then set the figures.
LISTENERS = 32


def serve(listeners: list[socket.socket]) -> None:
    with selectors.DefaultSelector() as selector:
        for listener in listeners:
            selector.register(listener, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                conn, _ = key.fileobj.accept()  # type: ignore[union-attr]
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


async def main(args: argparse.Namespace, ports: list[int]) -> None:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
    options = Options()
    next_port = itertools.cycle(ports).__next__
    next_target = itertools.cycle([f"127.0.0.1:{port}" for port in ports]).__next__

    async def bare() -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", next_port())
        writer.close()

    async def probed() -> None:
        result = await probe(next_target(), options, ctx)
        assert result.outcome == "up", result.reason

    async def bare_with_timeout() -> None:
        # What any real checker adds: a connect timeout.
        async with asyncio.timeout(options.timeout):
            _, writer = await asyncio.open_connection("127.0.0.1", next_port())
        writer.close()

    loops = {"bare": bare, "bare+timeout": bare_with_timeout, "probe": probed}
    rates: dict[str, list[float]] = {name: [] for name in loops}
    cpu: dict[str, list[float]] = {name: [] for name in loops}
    ratios = []
    for round_number in range(args.rounds):
        # Alternate the order, so neither loop always runs first.
        order = list(loops) if round_number % 2 == 0 else list(reversed(loops))
        for name in order:
            rate, cpu_us = await run_loop(args.connections, args.concurrency, loops[name])
            rates[name].append(rate)
            cpu[name].append(cpu_us)
        # Paired: both loops of a round ran back to back under the same outside load.
        ratios.append(rates["probe"][-1] / rates["bare"][-1])
    labels = {
        "bare": "bare asyncio.open_connection",
        "bare+timeout": "  same, inside asyncio.timeout",
        "probe": "watchwire tcp probe",
    }
    for name, label in labels.items():
        print(
            f"{label:32} {statistics.median(rates[name]):>8,.0f} connects/s"
            f"  {statistics.median(cpu[name]):5.0f} µs CPU each (medians of {args.rounds})"
        )
    print(f"round ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"ratio probe/bare (median of rounds): {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=21)
    arguments = parser.parse_args()
    listening = [socket.create_server(("127.0.0.1", 0), backlog=4096) for _ in range(LISTENERS)]
    server = multiprocessing.Process(target=serve, args=(listening,), daemon=True)
    server.start()
    try:
        uvloop.run(main(arguments, [sock.getsockname()[1] for sock in listening]))
    finally:
        server.terminate()
        server.join()
