"""DNS A probes per second against a local knotd, at concurrency 200.

Runs, in the same process and on the same uvloop, one after the other for `--rounds` rounds:
  probe       the dns probe (`probe()`: options, message building, our UDP transport,
              the full Result with records, flags and timing)
  transport   our UDP transport alone (cached query wire, dnspython parsing), no Result
  dnspython   dnspython's own async UDP query path (`dns.asyncquery.udp`)
  aiodns      a bare aiodns (c-ares) loop doing the same lookups, nothing else
Each round asks `--queries` names; the best round of each is reported. Needs knot (Debian).
The last line carries the probe's figure; the target is ≥ 3,500 probes/s.

    .venv/bin/python bench/dns_probe.py [--queries 5000] [--rounds 3] [--budget 60]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiodns
import dns.asyncquery
import dns.name
import dns.rdatatype
import uvloop
from tests.servers.dns_servers import KnotServer, Zone

from watchwire.probes.base import ProbeContext
from watchwire.probes.dns import dns as dns_probe
from watchwire.probes.dns.transport import Question, exchange
from watchwire.target_policy import TargetPolicy

CONCURRENCY = 200
TIMEOUT = 5.0
HOSTS = 500  # distinct names, asked in turn


def zone() -> Zone:
    return Zone(
        "bench.test.", "".join(f"h{i} A 198.18.{i // 256}.{i % 256}\n" for i in range(HOSTS))
    )


def names(count: int) -> list[str]:
    return [f"h{i % HOSTS}.bench.test." for i in range(count)]


async def bounded(jobs: list[Callable[[], Awaitable[bool]]]) -> int:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(job: Callable[[], Awaitable[bool]]) -> bool:
        async with gate:
            return await job()

    return sum(await asyncio.gather(*(one(job) for job in jobs)))


async def run_probe(knot: KnotServer, queries: list[str]) -> int:
    ctx = ProbeContext(policy=TargetPolicy(allow_private=True), resolver=knot.address)
    options = dns_probe.Options(timeout=TIMEOUT)

    async def job(name: str) -> bool:
        return (await dns_probe.probe(name, options, ctx)).outcome == "up"

    return await bounded([lambda n=name: job(n) for name in queries])  # type: ignore[misc]


async def run_transport(knot: KnotServer, queries: list[str]) -> int:
    async def job(name: str) -> bool:
        question = Question(dns.name.from_text(name), dns.rdatatype.A)
        return bool((await exchange(question, knot.address, TIMEOUT)).response.answer)

    return await bounded([lambda n=name: job(n) for name in queries])  # type: ignore[misc]


async def run_dnspython(knot: KnotServer, queries: list[str]) -> int:
    async def job(name: str) -> bool:
        request = Question(dns.name.from_text(name), dns.rdatatype.A).to_message()
        response = await dns.asyncquery.udp(request, knot.host, TIMEOUT, knot.port)
        return bool(response.answer)

    return await bounded([lambda n=name: job(n) for name in queries])  # type: ignore[misc]


async def run_aiodns(knot: KnotServer, queries: list[str]) -> int:
    resolver = aiodns.DNSResolver(nameservers=[f"{knot.host}:{knot.port}"], timeout=TIMEOUT)

    async def job(name: str) -> bool:
        try:
            return bool((await resolver.query_dns(name, "A")).answer)
        except aiodns.error.DNSError:
            return False

    try:
        return await bounded([lambda n=name: job(n) for name in queries])  # type: ignore[misc]
    finally:
        await resolver.close()


RUNNERS = {
    "probe": run_probe,
    "transport": run_transport,
    "dnspython": run_dnspython,
    "aiodns": run_aiodns,
}


async def measure(knot: KnotServer, count: int, rounds: int, budget: float) -> dict[str, float]:
    queries = names(count)
    best = dict.fromkeys(RUNNERS, float("inf"))
    deadline = time.monotonic() + budget
    for _ in range(rounds):
        for name, runner in RUNNERS.items():
            started = time.perf_counter()
            answered = await runner(knot, queries)
            elapsed = time.perf_counter() - started
            if answered != count:
                print(f"{name}: only {answered}/{count} answered", file=sys.stderr)
            best[name] = min(best[name], elapsed)
        if time.monotonic() > deadline:
            break
    return {name: count / seconds for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="stop after this many s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="watchwire-bench-dns-") as tmp:
        knot = KnotServer(Path(tmp)).start([zone()])
        try:
            rates = uvloop.run(measure(knot, args.queries, args.rounds, args.budget))
        finally:
            knot.stop()
    for name, rate in rates.items():
        print(f"{name:10s} {rate:10,.0f} queries/s")
    print(
        f"dns probe: {rates['probe']:,.0f} probes/s at concurrency {CONCURRENCY} "
        f"(transport {rates['transport']:,.0f}/s, dnspython {rates['dnspython']:,.0f}/s, "
        f"aiodns {rates['aiodns']:,.0f}/s)"
    )


if __name__ == "__main__":
    main()
