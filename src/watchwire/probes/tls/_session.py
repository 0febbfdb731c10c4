"""TLS sessions with a server: the permissive client context, one handshake (after the
protocol's STARTTLS dance) that keeps the chain exactly as presented, the connection over a
list of addresses, the legacy protocol versions a server still accepts, and the words for a
connection that gave no session."""

from __future__ import annotations

import _ssl
import asyncio
import functools
import os
import ssl
import warnings
from dataclasses import dataclass
from typing import Final

from cryptography import x509
from pydantic import BaseModel

from watchwire.errors import ProbeError
from watchwire.probes._deadlines import within
from watchwire.probes.base import ProbeContext
from watchwire.probes.tls.certificate import load_der_certificate
from watchwire.probes.tls.starttls import open_tls
from watchwire.target_policy import IPAddress

_ENCODING_DER: Final = _ssl.ENCODING_DER
LEGACY_VERSIONS: Final = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
_VERSION_NAMES: Final = {ssl.TLSVersion.TLSv1: "TLSv1", ssl.TLSVersion.TLSv1_1: "TLSv1.1"}
CLOSE_TIMEOUT_S: Final = 2.0


class CipherInfo(BaseModel):
    name: str
    protocol: str
    bits: int


@dataclass(frozen=True)
class Session:
    """What one successful handshake showed."""

    address: IPAddress
    tls_version: str | None
    cipher: CipherInfo | None
    chain: list[x509.Certificate]
    handshake_ms: float


@functools.cache
def client_context(version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client context that completes the handshake whatever the certificate (it is judged
    afterwards); `version` pins one protocol version for the legacy check."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Security level 0: a server with a 1024-bit key, a SHA-1 chain or only TLS 1.0 must still
    # be observed, so that it can be reported rather than merely failing.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1: on purpose
        context.minimum_version = version or ssl.TLSVersion.TLSv1
        context.maximum_version = version or ssl.TLSVersion.MAXIMUM_SUPPORTED
    return context


def presented_chain(writer: asyncio.StreamWriter) -> list[x509.Certificate]:
    """The certificates exactly as the server sent them, leaf first."""
    ssl_object = writer.get_extra_info("ssl_object")
    # Python 3.11 exposes the unverified peer chain only on the private _sslobj (it becomes
    # public SSLSocket.get_unverified_chain in 3.13); the verified chain would be empty here
    # because verification is off, and it would not show what the server really sent.
    raw = ssl_object._sslobj.get_unverified_chain() or []
    # Parsed once per distinct certificate: monitors see the same ones over and over.
    return [load_der_certificate(cert.public_bytes(_ENCODING_DER)) for cert in raw]


async def _close(loop: asyncio.AbstractEventLoop, writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        # A coalesced deadline (no loop timer of its own): nearly every close is quick.
        await within(loop, CLOSE_TIMEOUT_S, writer.wait_closed())
    except (OSError, ssl.SSLError):
        pass  # the session is over either way; a peer that will not say goodbye is no finding


async def handshake(
    loop: asyncio.AbstractEventLoop,
    address: IPAddress,
    port: int,
    protocol: str,
    timeout: float,
    server_name: str,
    ctx: ProbeContext,
    context: ssl.SSLContext,
) -> Session:
    """One TLS session (after the protocol's STARTTLS dance), closed again at once. `loop` is
    the running loop, looked up once per probe (on Python 3.11 each lookup is a getpid())."""
    started = ctx.clock.monotonic()
    _, writer = await open_tls(str(address), port, protocol, context, server_name, timeout)
    elapsed = (ctx.clock.monotonic() - started) * 1000
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        name, proto, bits = ssl_object.cipher() or (None, None, None)
        return Session(
            address=address,
            tls_version=ssl_object.version(),
            cipher=CipherInfo(name=name, protocol=proto, bits=bits) if name else None,
            chain=presented_chain(writer),
            handshake_ms=round(elapsed, 2),
        )
    finally:
        await _close(loop, writer)


async def legacy_versions_accepted(
    loop: asyncio.AbstractEventLoop,
    address: IPAddress,
    port: int,
    protocol: str,
    timeout: float,
    server_name: str,
    ctx: ProbeContext,
) -> list[str]:
    """The legacy protocol versions (TLS 1.0, 1.1) the server still completes a handshake in."""

    async def accepts(version: ssl.TLSVersion) -> bool:
        context = client_context(version)
        try:
            await handshake(loop, address, port, protocol, timeout, server_name, ctx, context)
        except (OSError, ssl.SSLError, ProbeError, EOFError):
            return False
        return True

    verdicts = await asyncio.gather(*(accepts(v) for v in LEGACY_VERSIONS))
    return [_VERSION_NAMES[v] for v, ok in zip(LEGACY_VERSIONS, verdicts, strict=True) if ok]


def describe_failure(exc: Exception, host: str, port: int) -> tuple[str, str, str]:
    """The finding code, sentence and cause for a connection that gave no TLS session."""
    if isinstance(exc, ProbeError):  # name does not resolve, STARTTLS refused, timeout
        code = exc.code if exc.code.startswith("starttls") else "connection_failed"
        return code, exc.message, exc.code
    if isinstance(exc, ssl.SSLError):
        return "handshake_failed", f"The TLS handshake failed: {exc.reason or exc}", str(exc)
    # asyncio's own strerror ("Connect call failed (…)") hides the cause that errno names.
    errno = getattr(exc, "errno", None)
    why = os.strerror(errno) if errno else str(exc) or type(exc).__name__
    return "connection_failed", f"Cannot connect to {host} port {port}: {why}", type(exc).__name__


async def connect(
    loop: asyncio.AbstractEventLoop,
    addresses: list[IPAddress],
    port: int,
    protocol: str,
    timeout: float,
    server_name: str,
    ctx: ProbeContext,
) -> Session:
    """Handshake with the first address that accepts a connection (refusals move on to the
    next address; a TLS failure is the server's answer and is final)."""
    context = client_context()
    for address in addresses[:-1]:
        try:
            return await handshake(
                loop, address, port, protocol, timeout, server_name, ctx, context
            )
        except ssl.SSLError:
            raise
        except OSError:
            continue
    return await handshake(loop, addresses[-1], port, protocol, timeout, server_name, ctx, context)
