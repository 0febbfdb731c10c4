"""One probe's conversation with a target: the hops sent, their clocks, the final response.

Kept apart from `http.py` (the kind) so the redirect logic there reads as policy, and the bookkeeping
(what was timed, what was kept, how a failure is phrased) lives here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from yarl import URL

from watchwire import __version__
from watchwire.probes.base import ms_between
from watchwire.probes.http._transport import CURRENT_HOP, HopClock, check_literal, phase_ms
from watchwire.target_policy import TargetPolicy

USER_AGENT = f"watchwire/{__version__} (uptime check)"
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    outcome: Literal["up", "down", "error"]
    code: str | None = None
    reason: str | None = None


@dataclass(slots=True)
class SentHop:
    url: URL
    response: aiohttp.ClientResponse
    clock: HopClock

    @property
    def status(self) -> int:
        return self.response.status


@dataclass(slots=True)
class HopRecord:
    """What the probe keeps of the final response."""

    url: str
    status: int
    http_version: str
    headers: dict[str, str]
    set_cookies: list[str]
    address: str | None
    tls: tuple[str | None, str | None]
    content_length: int | None
    charset: str | None
    body: bytes | None = None
    size_bytes: int = 0
    truncated: bool = False


def _header_dict(response: aiohttp.ClientResponse) -> tuple[dict[str, str], list[str]]:
    """Headers as one value per name (repeats joined with ", " as RFC 9110 allows), with
    Set-Cookie kept apart because its lines cannot be joined that way."""
    headers: dict[str, str] = {}
    lower_to_name: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in response.headers.items():
        lower = name.lower()
        if lower == "set-cookie":
            cookies.append(value)
        elif lower in lower_to_name:
            headers[lower_to_name[lower]] += f", {value}"
        else:
            lower_to_name[lower] = name
            headers[name] = value
    return headers, cookies


@dataclass(slots=True)
class Exchange:
    session: aiohttp.ClientSession
    policy: TargetPolicy
    ip_version: int | None
    max_body_bytes: int
    started: float = field(default_factory=time.perf_counter)
    redirects: list[dict[str, Any]] = field(default_factory=list)
    redirects_ms: float = 0.0
    final: HopRecord | None = None
    finished: float | None = None
    # Cookies set by earlier hops, per host, sent back to that host only (a browser would).
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    _clock: HopClock | None = None
    _open: aiohttp.ClientResponse | None = None

    async def send(
        self, method: str, url: URL, headers: dict[str, str], body: str | None
    ) -> SentHop:
        host = url.host or ""
        check_literal(host, self.policy, self.ip_version)
        clock = self._clock = HopClock(started=time.perf_counter())
        token = CURRENT_HOP.set(clock)
        try:
            response = self._open = await self.session.request(
                method,
                url,
                headers=headers,
                data=body.encode() if body is not None else None,
                cookies=self.cookies.get(host),
                allow_redirects=False,
            )
        finally:
            CURRENT_HOP.reset(token)
        clock.headers_received = time.perf_counter()
        clock.phase = "reading_body"
        if "Set-Cookie" in response.headers:  # else response.cookies builds an empty jar
            for name, morsel in response.cookies.items():
                self.cookies.setdefault(host, {})[name] = morsel.value
        return SentHop(url, response, clock)

    def close(self) -> None:
        """Drop a response left half-read by a timeout or an error, and its connection."""
        if self._open is not None:
            self._open.close()
            self._open = None

    def record_redirect(self, hop: SentHop, location: str) -> None:
        self.close()
        total = phase_ms(hop.clock)["total_ms"] or 0.0
        self.redirects_ms = round(self.redirects_ms + total, 3)
        self.redirects.append(
            {
                "url": str(hop.url),
                "status": hop.status,
                "location": location,
                "address": hop.clock.peer,
                "total_ms": total,
            }
        )

    async def finish(self, hop: SentHop) -> Outcome:
        """Keep the final response and read its body up to the cap."""
        response = hop.response
        headers, cookies = _header_dict(response)
        version = response.version
        self.final = record = HopRecord(
            url=str(hop.url),
            status=response.status,
            http_version=f"{version.major}.{version.minor}" if version else "1.1",
            headers=headers,
            set_cookies=cookies,
            address=hop.clock.peer,
            tls=(hop.clock.tls_version, hop.clock.tls_cipher),
            content_length=response.content_length,
            charset=response.charset,
        )
        length = response.content_length
        if response.method != "HEAD" and length is not None and length <= self.max_body_bytes:
            # The common case, a declared length within the cap: one read, no chunk loop.
            record.body = await response.read()
            record.size_bytes = len(record.body)
        elif response.method != "HEAD":
            kept = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                record.size_bytes += len(chunk)
                kept += chunk[: max(self.max_body_bytes - len(kept), 0)]
                if record.size_bytes > self.max_body_bytes:
                    # The rest is never read: Exchange.close drops the connection.
                    record.truncated = True
                    break
            record.body = bytes(kept)
        hop.clock.body_done = self.finished = time.perf_counter()
        self.close()
        return Outcome("up")

    def failed(self, exc: aiohttp.ClientError, url: URL) -> Outcome:
        """A request that got no usable answer, phrased for a person."""
        where = f"{url.host}:{url.port}"
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return Outcome("down", "tls_certificate_invalid", f"{where}: {exc.certificate_error}")
        if isinstance(exc, aiohttp.ClientSSLError):
            return Outcome("down", "tls_error", f"TLS handshake with {where} failed: {exc}")
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            return Outcome("down", "dns_error", f"cannot resolve {url.host}")
        if isinstance(exc, aiohttp.ClientConnectorError):
            reason = exc.os_error.strerror or str(exc.os_error)
            return Outcome("down", "connection_failed", f"cannot connect to {where}: {reason}")
        if isinstance(exc, aiohttp.ServerDisconnectedError):
            return Outcome("down", "server_disconnected", f"{where} closed the connection")
        if isinstance(exc, aiohttp.ClientResponseError):
            return Outcome("down", "invalid_response", f"{where} sent an invalid response")
        return Outcome("down", "http_error", f"{where}: {exc.__class__.__name__}: {exc}")

    def timed_out(self, timeout: float) -> Outcome:
        phase = self._clock.phase.replace("_", " ") if self._clock else "connecting"
        return Outcome("down", "timeout", f"no complete answer within {timeout:g} s ({phase})")

    def timings(self) -> dict[str, float | None]:
        """The last hop's phases, with `total_ms` covering the whole probe."""
        phases = phase_ms(self._clock or HopClock(started=self.started))
        end = self.finished or time.perf_counter()
        phases["total_ms"] = ms_between(self.started, end)
        return phases
