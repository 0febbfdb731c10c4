"""Real TCP endpoints on loopback for the port probe: a service that greets, one that says
nothing, a port that refuses, and a port that drops connection attempts (filtered)."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

GREETING = b"SSH-2.0-watchwire-test\r\n"


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


@pytest.fixture(params=["127.0.0.1", "::1"], ids=["ipv4", "ipv6"])
def loopback_host(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _start(host: str, greeting: bytes | None) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if greeting is not None:
            writer.write(greeting)
            await writer.drain()
        try:
            await reader.read(1)  # hold the connection until the client goes
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, 0)


@pytest.fixture
async def greeting_server(loopback_host: str) -> AsyncIterator[Endpoint]:
    """A service that sends an SSH-style greeting as soon as a client connects."""
    server = await _start(loopback_host, GREETING)
    yield Endpoint(loopback_host, server.sockets[0].getsockname()[1])
    server.close()


@pytest.fixture
async def binary_greeting_server() -> AsyncIterator[Endpoint]:
    """A service whose greeting contains terminal escape sequences and invalid UTF-8."""
    server = await _start("127.0.0.1", b"\x1b[2J220 h\xffllo\x00\r\n")
    yield Endpoint("127.0.0.1", server.sockets[0].getsockname()[1])
    server.close()


@pytest.fixture
async def silent_server(loopback_host: str) -> AsyncIterator[Endpoint]:
    """A service that accepts and never speaks first (like HTTP)."""
    server = await _start(loopback_host, None)
    yield Endpoint(loopback_host, server.sockets[0].getsockname()[1])
    server.close()


@pytest.fixture
def refused_port(loopback_host: str) -> Iterator[Endpoint]:
    """A port held by a bound socket that does not listen: the kernel answers SYN with RST."""
    holder = socket.socket(_family(loopback_host), socket.SOCK_STREAM)
    holder.bind((loopback_host, 0))
    yield Endpoint(loopback_host, holder.getsockname()[1])
    holder.close()


@pytest.fixture
def filtered_port(loopback_host: str) -> Iterator[Endpoint]:
    """A listener whose accept queue is full: Linux drops further SYNs without answering,
    which is what a firewall's DROP looks like from outside."""
    listener = socket.socket(_family(loopback_host), socket.SOCK_STREAM)
    listener.bind((loopback_host, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    # One connection fills a backlog of 0; it is never accepted.
    filler = socket.create_connection((loopback_host, port), timeout=5)
    yield Endpoint(loopback_host, port)
    filler.close()
    listener.close()


# --- network namespaces -------------------------------------------------------------------
# Probes whose behaviour depends on kernel settings (ping_group_range, icmp_echo_ignore_all)
# or on a routed path run in a child process inside a network namespace of their own, so the
# host's settings are never touched.

NETNS_TIMEOUT_S = 90


def run_in_netns(
    code: str, *, sysctls: dict[str, str] | None = None, drop_net_raw: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in a fresh network namespace (loopback up, `sysctls` applied),
    optionally without CAP_NET_RAW, and return the finished process."""
    setup = ["ip link set lo up"]
    setup += [f"sysctl -qw {name}={shlex.quote(value)}" for name, value in (sysctls or {}).items()]
    python = [sys.executable, "-c", code]
    if drop_net_raw:
        python = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", *python]
    script = " && ".join([*setup, shlex.join(python)])
    return subprocess.run(
        ["unshare", "--net", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=NETNS_TIMEOUT_S,
        check=False,
    )


@dataclass(frozen=True)
class RoutedPath:
    """client --- router --- destination, each in its own network namespace."""

    client_ns: str
    router_v4: str
    router_v6: str
    destination_v4: str
    destination_v6: str
    unrouted_v4: str  # an address the router has no route to

    def run(self, code: str) -> subprocess.CompletedProcess[str]:
        """Run Python `code` in the client's namespace."""
        return subprocess.run(
            ["ip", "netns", "exec", self.client_ns, sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=NETNS_TIMEOUT_S,
            check=False,
        )


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


def _in(ns: str, command: str) -> None:
    subprocess.run(
        ["ip", "netns", "exec", ns, "sh", "-c", command],
        check=True,
        capture_output=True,
        timeout=30,
    )


@pytest.fixture
def routed_path() -> Iterator[RoutedPath]:
    """Three namespaces joined by veth pairs, the middle one forwarding (IPv4 and IPv6), with
    ICMP error rate limits off so every probe gets its answer. Private addresses exist only
    inside these namespaces; the fixture deletes them (and so their links) afterwards."""
    tag = f"{os.getpid() % 100000}"
    client, router, destination = (f"ww{role}{tag}" for role in ("c", "r", "d"))
    names = [client, router, destination]
    try:
        for ns in names:
            _ip("netns", "add", ns)
            # Before any link exists: no duplicate address detection (addresses usable at
            # once, link-local ones too) and no ICMP error rate limit.
            _in(ns, "sysctl -qw net.ipv6.conf.default.accept_dad=0"
                " net.ipv6.conf.all.accept_dad=0 net.ipv4.icmp_ratelimit=0"
                " net.ipv6.icmp.ratelimit=0")  # fmt: skip
        _ip("link", "add", f"c{tag}", "netns", client, "type", "veth", "peer", "name",
            f"rc{tag}", "netns", router)  # fmt: skip
        _ip("link", "add", f"d{tag}", "netns", destination, "type", "veth", "peer", "name",
            f"rd{tag}", "netns", router)  # fmt: skip
        _in(client, f"ip link set lo up; ip link set c{tag} up;"
            f" ip addr add 10.201.1.2/24 dev c{tag};"
            f" ip -6 addr add fd00:201:1::2/64 dev c{tag} nodad;"
            " ip route add default via 10.201.1.1;"
            " ip -6 route add default via fd00:201:1::1")  # fmt: skip
        _in(router, "sysctl -qw net.ipv4.ip_forward=1"
            " net.ipv6.conf.all.forwarding=1; ip link set lo up;"
            f" ip link set rc{tag} up; ip link set rd{tag} up;"
            f" ip addr add 10.201.1.1/24 dev rc{tag}; ip addr add 10.201.2.1/24 dev rd{tag};"
            f" ip -6 addr add fd00:201:1::1/64 dev rc{tag} nodad;"
            f" ip -6 addr add fd00:201:2::1/64 dev rd{tag} nodad")  # fmt: skip
        _in(destination, f"ip link set lo up; ip link set d{tag} up;"
            f" ip addr add 10.201.2.2/24 dev d{tag};"
            f" ip -6 addr add fd00:201:2::2/64 dev d{tag} nodad;"
            " ip route add default via 10.201.2.1;"
            " ip -6 route add default via fd00:201:2::1")  # fmt: skip
        yield RoutedPath(
            client_ns=client,
            router_v4="10.201.1.1",
            router_v6="fd00:201:1::1",
            destination_v4="10.201.2.2",
            destination_v6="fd00:201:2::2",
            unrouted_v4="10.201.3.3",
        )
    finally:
        for ns in names:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
