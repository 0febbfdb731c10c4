"""What one `tcps` check costs next to the tls probe it shares its judgement with: one
handshake and the chain judged, against the tls probe with its legacy-version handshakes
(revocation off) and with both off, on one local TLS server with a trustme certificate.

Client and server share the process and its event loop, so the CPU figures include the
server's half of each handshake; the comparison between the probes is what counts
(docs/decisions/0022). Each probe runs `--checks` times a round, one at a time, for
`--rounds` rounds; the medians are printed, and on the last line the ratio of the tls probe's
default wall time to the tcps probe's.

    .venv/bin/python bench/tcps_probe.py [--checks 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import trustme

from watchwire.probes.base import ProbeContext
from watchwire.probes.tls import tcps, tls
from watchwire.target_policy import TargetPolicy

TIME_LIMIT_S = 120.0


async def _serve(ca: trustme.CA) -> asyncio.Server:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(100)
        except (OSError, ssl.SSLError):
            pass
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)


async def _measure(
    check: Callable[[], Awaitable[Any]], checks: int, rounds: int, deadline: float
) -> tuple[float, float]:
    """Median wall and CPU milliseconds per check over the rounds."""
    for _ in range(10):  # warm the caches (certificate facts, trust verdicts)
        await check()
    walls, cpus = [], []
    for _ in range(rounds):
        if time.monotonic() > deadline:
            break
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(checks):
            result = await check()
            assert result.outcome == "up", result.reason
        walls.append((time.perf_counter() - wall) / checks * 1000)
        cpus.append((time.process_time() - cpu) / checks * 1000)
    return statistics.median(walls), statistics.median(cpus)


async def main(checks: int, rounds: int) -> None:
    deadline = time.monotonic() + TIME_LIMIT_S
    ca = trustme.CA()
    server = await _serve(ca)
    port = server.sockets[0].getsockname()[1]
    pem = ca.cert_pem.bytes().decode()
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
    target = f"127.0.0.1:{port}"
    common = {"ca_pem": pem, "server_name": "localhost"}
    probes: dict[str, Callable[[], Awaitable[Any]]] = {
        "tcps": lambda: tcps.probe(target, tcps.Options(**common), ctx),
        "tls (legacy check on)": lambda: tls.probe(
            target, tls.Options(**common, port=port, check_revocation=False), ctx
        ),
        "tls (legacy check off)": lambda: tls.probe(
            target,
            tls.Options(**common, port=port, check_revocation=False, check_legacy_versions=False),
            ctx,
        ),
    }
    figures = {}
    try:
        for name, check in probes.items():
            figures[name] = await _measure(check, checks, rounds, deadline)
            wall, cpu = figures[name]
            print(f"{name:24} {wall:6.2f} ms wall  {cpu:6.2f} ms CPU per check")
    finally:
        server.close()
    ratio = figures["tls (legacy check on)"][0] / figures["tcps"][0]
    print(f"tls default / tcps wall time per check: {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.checks, arguments.rounds))
