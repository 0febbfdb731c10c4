"""Full TLS handshakes + chain analysis per second from the tls probe, next to a bare
`asyncio.open_connection(ssl=…)` loop, at concurrency 100 against a local TLS 1.3 server
(RSA-2048 leaf under an intermediate, served from a separate process on uvloop).

    .venv/bin/python bench/tls_probe.py [--seconds 5] [--concurrency 100]

The last line is the figure: both rates and the ratio probe/bare (target >= 0.7).
Revocation, CAA and legacy-version checks are off: each would add network round trips that
measure the other side, not the probe.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import ssl
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import trustme
import uvloop

from watchwire.probes.base import ProbeContext
from watchwire.probes.tls import Options, probe
from watchwire.target_policy import TargetPolicy


def run_server(cert_chain: str, key: str, ready: multiprocessing.Queue[int]) -> None:
    """The TLS server process: accept, wait for the client to hang up, close."""

    async def main() -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_chain, key)

        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.read(1024)
            except (ConnectionError, ssl.SSLError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context, backlog=1024)
        ready.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    uvloop.run(main())


async def count(one: Callable[[], Awaitable[object]], seconds: float, concurrency: int) -> int:
    """Calls completed by `concurrency` workers within `seconds` (bounded in time)."""
    deadline = time.monotonic() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await one()
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def compare(
    contenders: dict[str, Callable[[], Awaitable[object]]],
    seconds: float,
    concurrency: int,
    rounds: int = 5,
) -> dict[str, float]:
    """Rates per second, measured in alternating short rounds so that the load of a shared
    machine, which changes from second to second, falls on every contender alike."""
    totals = dict.fromkeys(contenders, 0)
    elapsed = dict.fromkeys(contenders, 0.0)
    for _ in range(rounds):
        for name, one in contenders.items():
            started = time.monotonic()
            totals[name] += await count(one, seconds / rounds, concurrency)
            elapsed[name] += time.monotonic() - started
    rates = {name: totals[name] / elapsed[name] for name in contenders}
    for name, per_second in rates.items():
        print(f"{name}: {totals[name]} handshakes, {per_second:.0f}/s", flush=True)
    return rates


async def measure(port: int, ca_file: Path, seconds: float, concurrency: int) -> None:
    bare_context = ssl.create_default_context(cafile=str(ca_file))

    async def bare() -> None:
        _, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=bare_context, server_hostname="localhost"
        )
        writer.close()
        await writer.wait_closed()

    options = Options(
        ca_file=ca_file,
        server_name="localhost",
        check_revocation=False,
        check_legacy_versions=False,
        timeout=30,
    )
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True))
    target = f"127.0.0.1:{port}"

    async def probed() -> None:
        result = await probe(target, options, ctx)
        if result.outcome != "up":
            raise OSError(result.reason)

    await count(bare, 1.0, concurrency)  # warm-up
    rates = await compare(
        {"bare asyncio+ssl": bare, "tls probe (handshake + chain analysis)": probed},
        seconds,
        concurrency,
    )
    bare_rate, probe_rate = rates.values()
    print(
        f"tls probe {probe_rate:.0f}/s vs bare {bare_rate:.0f}/s at concurrency {concurrency}: "
        f"ratio {probe_rate / bare_rate:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per contender")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    seconds = min(args.seconds, 60.0)
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    leaf = ca.create_child_ca().issue_cert("localhost", key_type=trustme.KeyType.RSA)
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        chain, key, ca_file = work / "chain.pem", work / "key.pem", work / "ca.pem"
        chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key))
        ca.cert_pem.write_to_path(str(ca_file))
        ready: multiprocessing.Queue[int] = multiprocessing.Queue()
        server = multiprocessing.Process(
            target=run_server, args=(str(chain), str(key), ready), daemon=True
        )
        server.start()
        try:
            port = ready.get(timeout=30)
            uvloop.run(measure(port, ca_file, seconds, args.concurrency))
        finally:
            server.terminate()
            server.join(10)


if __name__ == "__main__":
    main()
