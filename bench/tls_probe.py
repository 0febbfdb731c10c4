"""Full TLS handshakes + chain analysis per second from the tls probe, next to a bare
`asyncio.open_connection(ssl=…)` loop, at concurrency 100 against a local TLS 1.3 server
(RSA-2048 leaf under an intermediate, served from a separate process on uvloop).

    .venv/bin/python bench/tls_probe.py [--seconds 9] [--concurrency 100] [--rounds 9]

The contenders run back to back in `--rounds` short rounds (order alternating), each round
giving one paired ratio. The last line is the figure: the median rates and the median of the
round ratios probe/bare (target >= 0.7). About 2 x seconds + 2 s in all.
Revocation, CAA and legacy-version checks are off: each would add network round trips that
measure the other side, not the probe.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import ssl
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import trustme
import uvloop

from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.tls import Options, probe
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
    rounds: int,
) -> dict[str, list[float]]:
    """Rates per second, measured in short rounds that run the contenders back to back
    (alternating their order), so that the load of a shared machine, which changes from
    second to second, falls on every contender of a round alike. Also the client's CPU time
    per handshake, which outside load disturbs less than the rate."""
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    cpu_us: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(rounds):
        order = list(contenders) if round_number % 2 == 0 else list(reversed(contenders))
        for name in order:
            started, cpu_started = time.monotonic(), time.process_time()
            done = await count(contenders[name], seconds / rounds, concurrency)
            elapsed, cpu = time.monotonic() - started, time.process_time() - cpu_started
            rates[name].append(done / elapsed)
            cpu_us[name].append(cpu / max(done, 1) * 1e6)
    for name in contenders:
        print(
            f"{name}: {statistics.median(rates[name]):.0f}/s, "
            f"{statistics.median(cpu_us[name]):.0f} µs client CPU per handshake "
            f"(medians of {rounds} rounds)",
            flush=True,
        )
    return rates


async def measure(port: int, ca_file: Path, seconds: float, concurrency: int, rounds: int) -> None:
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
    await count(probed, 1.0, concurrency)
    rates = await compare(
        {"bare asyncio+ssl": bare, "tls probe (handshake + chain analysis)": probed},
        seconds,
        concurrency,
        rounds,
    )
    bare_rates, probe_rates = rates.values()
    # Paired: both loops of a round ran back to back under the same outside load.
    ratios = [probe / bare for probe, bare in zip(probe_rates, bare_rates, strict=True)]
    print(f"round ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(
        f"tls probe {statistics.median(probe_rates):.0f}/s vs bare "
        f"{statistics.median(bare_rates):.0f}/s at concurrency {concurrency}: "
        f"ratio {statistics.median(ratios):.2f} (median of {rounds} paired rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=9.0, help="per contender, in all")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=9)
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
            rounds = max(1, args.rounds)
            uvloop.run(measure(port, ca_file, seconds, args.concurrency, rounds))
        finally:
            server.terminate()
            server.join(10)


if __name__ == "__main__":
    main()
