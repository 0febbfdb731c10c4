"""UDP probe (Enterno's `udp` checks): send one datagram to HOST:PORT and, when asked, wait
for a reply and match it against a substring or a regular expression.

UDP has no handshake, so what "up" means depends on the service:

- `expect_reply` (the default, and implied by `keyword`/`regex`): up when a reply arrives
  within the timeout (and matches); silence is down;
- without it: up unless the host answers with ICMP port unreachable (nothing listens) within
  a short wait, `QUIET_WAIT_S` or the timeout when that is shorter. Silence is up, since a
  service that never answers cannot be told from one that is down any other way.

The socket is connected to the target, so an ICMP refusal comes back to this probe as
ConnectionRefusedError and not to an unrelated socket.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from watchwire.errors import ProbeError
from watchwire.probes import targets
from watchwire.probes._deadlines import within
from watchwire.probes._target import Family, literal_for_socket, resolve_for_socket, split_host_port
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.net.tcp import printable

QUIET_WAIT_S = 1.0
MAX_DATAGRAM = 65_507  # the largest UDP payload over IPv4
REPLY_SHOWN = 512  # bytes of a reply kept in the result


class Options(ProbeOptions):
    payload: str = Field(default="", max_length=MAX_DATAGRAM, description="text sent (UTF-8)")
    payload_hex: str | None = Field(
        default=None, max_length=2 * MAX_DATAGRAM, description="bytes sent, as hex"
    )
    expect_reply: bool = True
    keyword: str | None = Field(default=None, min_length=1, description="substring of the reply")
    regex: str | None = Field(default=None, min_length=1, description="pattern the reply matches")
    timeout: float = Field(default=5.0, gt=0, le=60, description="wait for the reply, s")
    family: Family = "any"

    @field_validator("payload_hex")
    @classmethod
    def _check_hex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                bytes.fromhex(value)
            except ValueError as exc:
                raise ValueError(f"not hex bytes (pairs of 0-9a-f): {exc}") from None
        return value

    @field_validator("regex")
    @classmethod
    def _check_regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _consistent(self) -> Options:
        if self.payload and self.payload_hex is not None:
            raise ValueError("give payload or payload_hex, not both")
        if (self.keyword or self.regex) and not self.expect_reply:
            raise ValueError("keyword and regex match a reply: they need expect_reply")
        return self

    def datagram(self) -> bytes:
        if self.payload_hex is not None:
            return bytes.fromhex(self.payload_hex)
        return self.payload.encode()


class Result(ProbeResult):
    kind: Literal["udp"] = "udp"
    host: str = ""
    port: int = 0
    address: str | None = None
    sent_bytes: int = 0
    # The reply: its size, its first REPLY_SHOWN bytes as safe text, and how long it took.
    reply_bytes: int | None = None
    reply: str | None = None
    rtt_ms: float | None = None
    keyword_found: bool | None = None
    regex_matched: bool | None = None


class _Exchange(asyncio.DatagramProtocol):
    """Keeps the first datagram back (or the error the socket reported) in `answer`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.answer: asyncio.Future[bytes] = loop.create_future()

    def datagram_received(self, data: bytes, addr: object) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)


def check_target(target: str) -> str:
    """HOST:PORT (`[v6]:PORT`), the host a well-formed name or address."""
    return targets.host_port(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Send the payload to `target` (HOST:PORT, [V6]:PORT) and judge the answer as the
    module docstring says. Raises ProbeError for a target without a port, TargetNotAllowed
    for an address the policy refuses."""
    started = time.perf_counter()
    host, port = split_host_port(target)
    if port is None:
        raise ProbeError(f"no port to send to: give {target}:PORT", code="invalid_target")
    address, family = literal_for_socket(
        ctx.policy, host, options.family
    ) or await resolve_for_socket(ctx.policy, host, options.family, port)
    datagram = options.datagram()
    result: Result = Result.unvalidated(
        target=target, outcome="up", host=host, port=port, address=address
    )
    loop = asyncio.get_running_loop()
    wait = options.timeout if options.expect_reply else min(options.timeout, QUIET_WAIT_S)
    try:
        transport, exchange = await loop.create_datagram_endpoint(
            lambda: _Exchange(loop), remote_addr=(address, port), family=family
        )
    except OSError as exc:
        return _down(result, started, "send_failed", f"cannot send to {target}: {exc.strerror}")
    try:
        sent = time.perf_counter()
        transport.sendto(datagram)
        result.sent_bytes = len(datagram)
        reply = await within(loop, wait, exchange.answer)
    except ConnectionRefusedError:
        message = f"port {port} unreachable: nothing listens there (ICMP port unreachable)"
        return _down(result, started, "port_unreachable", message)
    except OSError as exc:
        return _down(result, started, "send_failed", f"cannot send to {target}: {exc.strerror}")
    finally:
        transport.close()
    if reply is None:
        result.duration_ms = ms_since(started)
        if options.expect_reply:
            message = f"no reply within {wait:g} s"
            return _down(result, started, "no_reply", message)
        return result
    result.rtt_ms = ms_since(sent)
    result.reply_bytes = len(reply)
    result.reply = printable(reply[:REPLY_SHOWN])
    return _judge(result, reply, options, started)


def _judge(result: Result, reply: bytes, options: Options, started: float) -> Result:
    """The reply against the options' keyword and regex (on the reply as UTF-8 text)."""
    text = reply.decode("utf-8", errors="replace")
    failures = []
    if options.keyword is not None:
        result.keyword_found = options.keyword in text
        if not result.keyword_found:
            failures.append(("keyword_missing", f"reply does not contain {options.keyword!r}"))
    if options.regex is not None:
        result.regex_matched = re.search(options.regex, text) is not None
        if not result.regex_matched:
            failures.append(("regex_missing", f"reply does not match {options.regex!r}"))
    if failures:
        shown = result.reply if len(result.reply or "") <= 80 else (result.reply or "")[:80] + "…"
        code, message = failures[0]
        result = _down(result, started, code, f"{message}; it was {shown!r}")
        result.findings += [
            Finding(code=code, severity="error", message=message) for code, message in failures[1:]
        ]
        return result
    result.duration_ms = ms_since(started)
    return result


def _down(result: Result, started: float, code: str, message: str) -> Result:
    result.outcome = "down"
    result.reason = message
    result.findings = [Finding(code=code, severity="error", message=message)]
    result.duration_ms = ms_since(started)
    return result
