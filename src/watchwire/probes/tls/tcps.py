"""The tcps probe: a TCP connect and a TLS handshake, with the certificate checked the way a
client checks it (a path to a trusted root, the name, the dates): the uptime side of TLS,
updown's `tcps` checks and Enterno's `ssl` ones.

The tls probe is a certificate monitor's full judgement (15 protocols, revocation, legacy
versions, CAA, all of it fetched again from elsewhere); this one is what runs every minute:
one connection, timed in its two phases (connect, handshake), the chain judged by the same
rules (`_findings.analyse_chain`) against the same trust anchors (`_roots`), nothing else
contacted. The handshake runs with verification off (`_session.client_context`) so that a
bad certificate is described rather than only refused; any error or critical finding makes
the check down, its message the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from watchwire.probes import targets
from watchwire.probes._deadlines import within
from watchwire.probes._target import Family, literal_for_socket, resolve_for_socket, split_host_port
from watchwire.probes.base import Finding, ProbeContext, ProbeOptions, ProbeResult, ms_since
from watchwire.probes.tls._findings import analyse_chain, finding
from watchwire.probes.tls._roots import trust_roots
from watchwire.probes.tls._session import CipherInfo, client_context, presented_chain
from watchwire.probes.tls.certificate import CertificateInfo

DEFAULT_PORT = 443
_CLOSE_TIMEOUT_S = 2.0


class Options(ProbeOptions):
    port: int | None = Field(
        default=None, ge=1, le=65535, description="default: the target's, else 443"
    )
    server_name: str | None = Field(
        default=None, description="SNI and the name the certificate must cover; default: host"
    )
    ca_file: Path | None = Field(default=None, description="PEM bundle of trusted roots")
    ca_pem: str | None = Field(default=None, description="trusted roots as PEM text")
    family: Family = "any"
    timeout: float = Field(default=10.0, gt=0, le=120, description="connect and handshake, s")
    expiry_warning_days: int = Field(
        default=30, ge=0, le=3650, description="a warning finding this close to expiry"
    )
    min_days_left: int = Field(
        default=0, ge=0, le=3650, description="down when the certificate has fewer days left"
    )


class Result(ProbeResult):
    kind: Literal["tcps"] = "tcps"
    host: str
    port: int
    server_name: str
    address: str | None = None
    connect_ms: float | None = None
    handshake_ms: float | None = None
    tls_version: str | None = None
    cipher: CipherInfo | None = None
    # The leaf as presented, and how many certificates came with it.
    certificate: CertificateInfo | None = None
    chain_length: int = 0
    trusted: bool | None = None
    hostname_matches: bool | None = None


def check_target(target: str) -> str:
    """HOST:PORT (`[v6]:PORT`), the host a well-formed name or address."""
    return targets.host_port(target)


async def probe(target: str, options: Options, ctx: ProbeContext) -> Result:
    """Connect to `target` (HOST, HOST:PORT, [V6]:PORT), shake hands and check the
    certificate. A refused connection, a failed handshake or a certificate a client would
    not accept is a down result; a target the policy refuses raises TargetNotAllowed, an
    unreadable CA bundle ProbeError."""
    started = time.perf_counter()
    host, target_port = split_host_port(target)
    host = host.strip("[]")
    port = options.port or target_port or DEFAULT_PORT
    server_name = options.server_name or host
    roots = trust_roots(options.ca_pem, options.ca_file, ctx)
    address, family = literal_for_socket(
        ctx.policy, host, options.family
    ) or await resolve_for_socket(ctx.policy, host, options.family, port)
    base: dict[str, Any] = {
        "target": target,
        "host": host,
        "port": port,
        "server_name": server_name,
        "address": address,
    }
    loop = asyncio.get_running_loop()
    phase = "connect"
    connected = handshaken = started
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(options.timeout):
            _, writer = await asyncio.open_connection(address, port, family=family)
            connected = time.perf_counter()
            phase = "handshake"
            # An IP literal as server_hostname sends no SNI, as RFC 6066 wants.
            await writer.start_tls(client_context(), server_hostname=server_name)
            handshaken = time.perf_counter()
    except (TimeoutError, OSError, ssl.SSLError) as exc:
        if writer is not None:
            writer.close()
        code, message = _failure(exc, phase, host, port, options.timeout)
        return Result(
            **base,
            outcome="down",
            reason=message,
            connect_ms=_ms(started, connected) if phase == "handshake" else None,
            duration_ms=ms_since(started),
            findings=[finding(code, "connection_failure", "critical", message)],
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        name, protocol, bits = ssl_object.cipher() or (None, None, None)
        chain = presented_chain(writer)
        base.update(
            connect_ms=_ms(started, connected),
            handshake_ms=_ms(connected, handshaken),
            tls_version=ssl_object.version(),
            cipher=CipherInfo(name=name, protocol=protocol, bits=bits) if name else None,
            chain_length=len(chain),
        )
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await within(loop, _CLOSE_TIMEOUT_S, writer.wait_closed())
    if not chain:
        message = "The server presented no certificate."
        return Result(
            **base,
            outcome="down",
            reason=message,
            duration_ms=ms_since(started),
            findings=[finding("handshake_failed", "connection_failure", "critical", message)],
        )
    analysis = analyse_chain(
        chain, server_name, roots, ctx.clock.now(), options.expiry_warning_days
    )
    leaf = analysis.certificates[0]
    findings = list(analysis.findings) + _too_close(leaf, options.min_days_left)
    bad = [f for f in findings if f.severity in ("error", "critical")]
    return Result(
        **base,
        outcome="down" if bad else "up",
        reason=bad[0].message if bad else None,
        certificate=leaf,
        trusted=analysis.trusted,
        hostname_matches=analysis.hostname_matches,
        findings=findings,
        duration_ms=ms_since(started),
    )


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 3)


def _too_close(leaf: CertificateInfo, min_days_left: int) -> list[Finding]:
    """The finding of a certificate still valid but with fewer days left than the check
    accepts (an expired one has its own critical finding already)."""
    if not 0 <= leaf.days_left < min_days_left:
        return []
    message = (
        f"The certificate expires in {leaf.days_left} days, fewer than the "
        f"{min_days_left} this check requires."
    )
    return [
        finding(
            "cert_too_close_to_expiry",
            "expiration",
            "error",
            message,
            days_left=leaf.days_left,
            not_after=leaf.not_after,
        )
    ]


def _failure(
    exc: TimeoutError | OSError | ssl.SSLError, phase: str, host: str, port: int, timeout: float
) -> tuple[str, str]:
    """The finding code and sentence of a connection that gave no TLS session."""
    if isinstance(exc, TimeoutError):
        what = "TCP connect" if phase == "connect" else "TLS handshake"
        return "timeout", f"The {what} to {host} port {port} did not finish within {timeout:g} s."
    if isinstance(exc, ssl.SSLError):
        return "handshake_failed", f"The TLS handshake failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection_refused", f"{host} port {port} refused the connection."
    if phase == "handshake":
        # A peer that hangs up during the handshake (a plaintext service, a full server).
        why = exc.strerror or "the server closed the connection"
        return "handshake_failed", f"The TLS handshake failed: {why}"
    return "connection_failed", f"Cannot connect to {host} port {port}: {exc.strerror or exc}"
