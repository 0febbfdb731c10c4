"""Probe locations simulated with Linux network namespaces: a hub namespace for the central
service, a target namespace holding the checked site, and one namespace per agent with two
links (veth pairs): one to the hub (control) and one to the target (data), the data link
delayed with `tc netem` by a different amount per agent. Cutting an agent's data link makes
its checks fail while it still reports; the hub link keeps it talking to the central service.

Farther agents answer slower: the site waits 0, 20 and 40 ms before answering agents 1, 2
and 3. (`tc qdisc … netem delay` would be the network's own way, but this machine's kernel
has no netem qdisc, "Specified qdisc kind is unknown", so the delay is the site's.)

    hub  10.210.i.1 ── 10.210.i.2  agent i  10.211.i.2 ── 10.211.i.1  target (site 10.212.0.1)

The private addresses exist only inside these namespaces, which the fixture deletes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SITE = "10.212.0.1"
SITE_PORT = 8000
HUB_PORT = 8080

# The site: answers every request with 200 and writes the caller's address, one line per
# request, so a test can count the checks that reached it from each agent; agent i (from
# 10.211.i.2) waits 20 ms x (i - 1) for its answer.
SITE_SCRIPT = """
import asyncio, sys
hits = open(sys.argv[1], "a", buffering=1)
async def answer(reader, writer):
    peer = writer.get_extra_info("peername")[0]
    try:
        while (await reader.readline()) not in (b"\\r\\n", b"\\n", b""):
            pass
        hits.write(peer + "\\n")
        await asyncio.sleep(0.02 * (int(peer.split(".")[2]) - 1))
        writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok")
        await writer.drain()
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(answer, "0.0.0.0", int(sys.argv[2]))
    print("ready", flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def _run(*argv: str) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, timeout=30)


def _in(ns: str, command: str) -> None:
    _run("ip", "netns", "exec", ns, "sh", "-c", command)


@dataclass
class Locations:
    hub: str
    target: str
    agents: list[str]  # namespace of agent i (1-based codes a1, a2, …)
    hits: Path
    site: subprocess.Popen[bytes]

    def hub_url(self, i: int) -> str:
        return f"http://10.210.{i}.1:{HUB_PORT}"

    def agent_address(self, i: int) -> str:
        return f"10.211.{i}.2"

    def cut(self, i: int) -> None:
        """Agent i can no longer reach the site (its hub link stays)."""
        _in(self.agents[i - 1], f"ip link set b{i}{self.tag} down")

    def mend(self, i: int) -> None:
        _in(
            self.agents[i - 1],
            f"ip link set b{i}{self.tag} up; ip route replace {SITE}/32 via 10.211.{i}.1",
        )

    def hits_from(self, i: int) -> int:
        address = self.agent_address(i)
        return sum(1 for line in self.hits.read_text().split() if line == address)

    tag: str = ""


@pytest.fixture
def locations_netns(tmp_path: Path) -> Iterator[Locations]:
    """The hub, the target (its site started) and three agent namespaces."""
    tag = f"{os.getpid() % 100000}"
    hub, target = f"wwh{tag}", f"wwt{tag}"
    agents = [f"wwa{i}{tag}" for i in (1, 2, 3)]
    names = [hub, target, *agents]
    site: subprocess.Popen[bytes] | None = None
    try:
        for ns in names:
            _run("ip", "netns", "add", ns)
            _in(ns, "ip link set lo up")
        _in(target, f"ip addr add {SITE}/32 dev lo")
        for i, ns in enumerate(agents, start=1):
            _run("ip", "link", "add", f"a{i}{tag}", "netns", ns, "type", "veth", "peer",
                 "name", f"h{i}{tag}", "netns", hub)  # fmt: skip
            _run("ip", "link", "add", f"b{i}{tag}", "netns", ns, "type", "veth", "peer",
                 "name", f"t{i}{tag}", "netns", target)  # fmt: skip
            _in(hub, f"ip addr add 10.210.{i}.1/24 dev h{i}{tag}; ip link set h{i}{tag} up")
            _in(target, f"ip addr add 10.211.{i}.1/24 dev t{i}{tag}; ip link set t{i}{tag} up")
            _in(ns, f"ip addr add 10.210.{i}.2/24 dev a{i}{tag}; ip link set a{i}{tag} up;"
                f" ip addr add 10.211.{i}.2/24 dev b{i}{tag}; ip link set b{i}{tag} up;"
                f" ip route add {SITE}/32 via 10.211.{i}.1")  # fmt: skip
        hits = tmp_path / "hits.txt"
        hits.touch()
        site = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                target,
                sys.executable,
                "-c",
                SITE_SCRIPT,
                str(hits),
                str(SITE_PORT),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert site.stdout is not None and site.stdout.readline().strip() == b"ready"
        yield Locations(hub, target, agents, hits, site, tag=tag)
    finally:
        if site is not None:
            site.kill()
            site.wait()
        for ns in names:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
