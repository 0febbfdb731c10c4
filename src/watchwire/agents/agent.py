"""The agent process: the location engine fed by the central service, a heartbeat, and
the sender of buffered results, until SIGTERM (then running checks finish, their results
are buffered and one last send is tried; what is not sent is sent by the next start)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from watchwire import __version__
from watchwire.agents.buffer import ResultBuffer
from watchwire.agents.client import AgentClient, AgentRefused, CentralUnavailable
from watchwire.agents.source import AgentSource
from watchwire.clock import Clock, SystemClock
from watchwire.engine.location_engine import LocationEngine, LocationEngineConfig
from watchwire.probes.base import ProbeContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentOptions:
    url: str
    token: str
    buffer_dir: Path
    concurrency: int = 200
    heartbeat_seconds: float = 15.0
    max_buffered: int = 100_000
    grace: float = 3.0


def instance_id(buffer_dir: Path) -> str:
    """The agent's name for itself, kept beside its buffer: a restarted agent is the same
    instance, so the results it buffered count as its own and its leases are given back."""
    path = buffer_dir / "instance"
    if path.exists():
        return path.read_text().strip()
    buffer_dir.mkdir(parents=True, exist_ok=True)
    name = f"{socket.gethostname()[:40]}:{secrets.token_hex(4)}"
    path.write_text(name + "\n")
    return name


async def _every(seconds: float, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            if wake is None:
                await stop.wait()
            else:
                await wake.wait()
                wake.clear()


async def _heartbeat(client: AgentClient, every: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await client.heartbeat()
        except (CentralUnavailable, AgentRefused) as exc:
            log.warning("heartbeat failed: %s", exc)
        await _every(every, stop)


async def _sender(source: AgentSource, stop: asyncio.Event, done: asyncio.Event) -> None:
    delay = 0.5
    while not done.is_set():
        if await source.send_pending():
            delay = 0.5
            await _every(1.0, stop, source.wake)
        else:
            await _every(delay, stop)
            delay = min(delay * 2, 10.0)


class WrongLocation(Exception):
    """The token is another location's than the one the agent was told to check from."""


async def run_agent(
    options: AgentOptions,
    ctx: ProbeContext,
    stop: asyncio.Event,
    clock: Clock | None = None,
    *,
    expected: str | None = None,
) -> None:
    """Run until `stop` is set. WrongLocation when the central service says the token is
    not `expected`'s; AgentRefused when it refuses the token."""
    clock = clock or SystemClock()
    instance = instance_id(options.buffer_dir)
    client = AgentClient(options.url, options.token, instance, __version__)
    try:
        first = await client.heartbeat(started=True)
    except CentralUnavailable as exc:
        log.warning("central service unavailable at start (%s): results will wait", exc)
    except AgentRefused:
        await client.close()
        raise
    else:
        if expected is not None and first["location"] != expected:
            await client.close()
            raise WrongLocation(
                f"the token is location {first['location']!r}'s, not {expected!r}'s"
            )
    buffer = ResultBuffer(options.buffer_dir, options.max_buffered)
    source = AgentSource(client, buffer, clock)
    engine = LocationEngine(
        source,
        ctx,
        clock,
        LocationEngineConfig(concurrency=options.concurrency, grace=options.grace),
    )
    log.info("agent %s for %s started (%d results buffered)", instance, options.url, buffer.waiting)
    done = asyncio.Event()
    sender = asyncio.create_task(_sender(source, stop, done))
    beat = asyncio.create_task(_heartbeat(client, options.heartbeat_seconds, stop))
    try:
        await engine.run(stop)
    finally:
        done.set()
        source.wake.set()
        await asyncio.gather(sender, beat, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(options.grace + 2):
                await source.send_pending()
        await client.close()
        log.info(
            "agent %s stopped after %d checks (%d results still buffered)",
            instance,
            engine.checks_run,
            buffer.waiting,
        )
