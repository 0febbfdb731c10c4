"""TCP port probe: is each port open, refused or filtered, how long the connect took, and
(optionally) the banner the service sends first.

One call checks one host on one or more ports, concurrently. The outcome is `up` only when
every requested port is open; any refused, filtered (no answer before the timeout) or failed
port makes it `down`, and each such port also yields a finding.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from watchwire.errors import ProbeError
from watchwire.probes import targets
from watchwire.probes._deadlines import arm
from watchwire.probes._target import Family, literal_for_socket, resolve_for_socket, split_host_port
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since

PortState = Literal["open", "refused", "filtered", "error"]


class Options(ProbeOptions):
    # Empty: the port comes from the target ("host:port").
    ports: list[int] = Field(default=[], max_length=100)
    timeout: float = Field(default=5.0, gt=0, le=60, description="connect timeout per port, s")
    read_banner: bool = False
    banner_max_bytes: int = Field(default=1024, ge=1, le=65536)
    banner_timeout: float = Field(default=2.0, gt=0, le=30)
    family: Family = "any"

    @field_validator("ports")
    @classmethod
    def _check_ports(cls, ports: list[int]) -> list[int]:
        for port in ports:
            if not 0 < port < 65536:
                raise ValueError(f"port must be 1-65535, got {port}")
        return list(dict.fromkeys(ports))  # keep order, drop repeats


@dataclass(slots=True)
class PortStatus:
    """The state of one port. A dataclass, not a model: it is built on every probe from
    values the probe made itself, and the Result validates it once when it takes it in."""

    port: int
    state: PortState
    connect_ms: float | None = None
    banner: str | None = None
    error: str | None = None


class Result(ProbeResult):
    kind: Literal["tcp"] = "tcp"
    host: str = ""
    address: str | None = None
    ports: list[PortStatus] = Field(default_factory=list)


def check_target(target: str) -> str:
    """HOST or HOST:PORT (`[v6]:PORT`); without a port, the ports option names them."""
    return targets.host_port(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    started = time.perf_counter()
    host, target_port = split_host_port(target)
    ports = options.ports or ([target_port] if target_port else [])
    if not ports:
        raise ProbeError(f"no port to check: give {target}:PORT or the ports option")
    # Literal addresses (most monitors) without a coroutine round; names through the resolver.
    address, family = literal_for_socket(
        ctx.policy, host, options.family
    ) or await resolve_for_socket(ctx.policy, host, options.family)
    # Looked up once and handed down: on Python 3.11 every get_running_loop() is a getpid()
    # system call, a noticeable part of a loopback connect's cost.
    loop = asyncio.get_running_loop()
    if len(ports) == 1:  # the common case: no extra task
        statuses = [await _check_port(loop, address, family, ports[0], options)]
    else:
        checks = (_check_port(loop, address, family, port, options) for port in ports)
        statuses = await asyncio.gather(*checks)
    # Every value here is the probe's own: taken in without validation (see ProbeResult.unvalidated).
    result: Result = Result.unvalidated(
        target=target,
        outcome="up",
        host=host,
        address=address,
        ports=statuses,
        duration_ms=ms_since(started),
    )
    not_open = [s for s in statuses if s.state != "open"]
    if not_open:
        result.outcome = "down"
        result.reason = ", ".join(f"port {s.port} {s.state}" for s in not_open)
        result.findings = [_finding(s) for s in not_open]
    return result


async def _check_port(
    loop: asyncio.AbstractEventLoop, address: str, family: int, port: int, options: Options
) -> PortStatus:
    protocol = (
        functools.partial(_Greeting, options.banner_max_bytes)
        if options.read_banner
        else asyncio.Protocol
    )
    started = time.perf_counter()
    # Armed inline rather than through within(): one coroutine fewer on every probe.
    deadline = arm(loop, options.timeout)
    try:
        transport, greeting = await loop.create_connection(
            protocol, address, port, family=family, flags=socket.AI_NUMERICHOST
        )
    except asyncio.CancelledError:
        if not deadline.fired():
            raise
        return PortStatus(port=port, state="filtered", error="no answer before the timeout")
    except ConnectionRefusedError:
        return PortStatus(port=port, state="refused", connect_ms=ms_since(started))
    except OSError as exc:
        return PortStatus(port=port, state="error", error=exc.strerror or str(exc))
    finally:
        deadline.disarm()
    connect_ms = ms_since(started)
    banner = None
    try:
        if isinstance(greeting, _Greeting):
            banner = await greeting.read(options.banner_timeout)
    finally:
        transport.close()
    return PortStatus(port=port, state="open", connect_ms=connect_ms, banner=banner)


class _Greeting(asyncio.Protocol):
    """Keeps the first `limit` bytes the service sends unprompted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.arrived: asyncio.Future[None] | None = None

    def data_received(self, data: bytes) -> None:
        if len(self.data) < self.limit:
            self.data += data[: self.limit - len(self.data)]
            self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self._wake()

    def _wake(self) -> None:
        if self.arrived is not None and not self.arrived.done():
            self.arrived.set_result(None)

    async def read(self, timeout: float) -> str | None:
        """The greeting as safe text, or None when nothing came within `timeout` seconds."""
        if not self.data:
            self.arrived = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self.arrived
            except TimeoutError:
                return None
        return printable(bytes(self.data)) if self.data else None


def printable(data: bytes) -> str:
    """Bytes from a stranger as text that is safe to show: UTF-8 where it decodes, control
    characters other than tab and line breaks escaped, so a banner cannot drive a terminal."""
    text = data.decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() or ch in "\t\r\n" else f"\\x{ord(ch):02x}" for ch in text)


def _finding(status: PortStatus) -> Finding:
    messages = {
        "refused": f"port {status.port} refused the connection",
        "filtered": f"port {status.port} did not answer (filtered or host down)",
        "error": f"port {status.port} could not be checked: {status.error}",
    }
    return Finding(
        code=f"port_{status.state}",
        severity="error",
        message=messages[status.state],
        details={"port": status.port},
    )
