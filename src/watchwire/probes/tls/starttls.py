"""STARTTLS: getting a TLS handshake out of the 15 protocols a certificate monitor can watch.

Seven protocols speak TLS from the first byte (IMPLICIT_TLS). The other eight start in plaintext
and upgrade on request; `negotiate` performs that plaintext preamble ("the dance") on a fresh TCP
connection and returns when the next bytes on the wire are our ClientHello. `open_tls` opens the
connection, dances when needed and performs the handshake; the tls probe uses it to reach the
certificate whatever the protocol.

Every dance is one small function (`_text_dances` for the line-based protocols,
`_binary_dances` for LDAP, PostgreSQL and MySQL, both over `_wire`), registered in DANCES
below, the one place that maps a protocol to its dance. A server that refuses or does not offer the upgrade raises ProbeError
with code "starttls_unsupported" (TLS not offered at all) or "starttls_failed" (the dance went
wrong), quoting the server's own words; a server too slow to answer raises code "timeout".
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Final, NamedTuple

from watchwire.errors import ProbeError
from watchwire.probes.tls._binary_dances import ldap, mysql, postgresql
from watchwire.probes.tls._text_dances import ftp, imap, lmtp, pop3, smtp
from watchwire.probes.tls._wire import Wire

DEFAULT_PORTS: Final[dict[str, int]] = {
    "https": 443,
    "smtps": 465,
    "smtp": 25,
    "imaps": 993,
    "imap": 143,
    "pops": 995,
    "pop": 110,
    "lmtp": 24,
    "ftps": 990,
    "ftp": 21,
    "ldaps": 636,
    "ldap": 389,
    "mysql": 3306,
    "postgresql": 5432,
    "sips": 5061,
}

IMPLICIT_TLS: Final = frozenset({"https", "smtps", "imaps", "pops", "ftps", "ldaps", "sips"})

# --- the registry ------------------------------------------------------------------------------


class Dance(NamedTuple):
    name: str  # the protocol as people write it, for messages
    perform: Callable[[Wire], Awaitable[None]]


DANCES: Final[dict[str, Dance]] = {
    "smtp": Dance("SMTP", smtp),
    "lmtp": Dance("LMTP", lmtp),
    "imap": Dance("IMAP", imap),
    "pop": Dance("POP3", pop3),
    "ftp": Dance("FTP", ftp),
    "ldap": Dance("LDAP", ldap),
    "postgresql": Dance("PostgreSQL", postgresql),
    "mysql": Dance("MySQL", mysql),
}


async def negotiate(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    protocol: str,
    server_name: str,
    timeout: float,
) -> None:
    """Perform `protocol`'s plaintext preamble on a fresh TCP connection; on return the next
    bytes to send are the TLS ClientHello. Does nothing for IMPLICIT_TLS protocols.

    `server_name` is accepted for symmetry with open_tls (SNI is sent by the TLS layer; no
    dance here needs the name). Raises ProbeError with code "starttls_unsupported" when the
    server does not offer the upgrade, "starttls_failed" when it refuses or breaks the dance,
    "timeout" when it does not finish within `timeout` seconds, "unknown_protocol" for a
    protocol outside DEFAULT_PORTS.
    """
    if protocol in IMPLICIT_TLS:
        return
    dance = DANCES.get(protocol)
    if dance is None:
        raise ProbeError(
            f"unknown TLS protocol {protocol!r}; known: {', '.join(DEFAULT_PORTS)}",
            code="unknown_protocol",
        )
    wire = Wire(reader, writer, protocol, dance.name)
    try:
        async with asyncio.timeout(timeout):
            await dance.perform(wire)
    except TimeoutError as exc:
        raise ProbeError(
            f"the {dance.name} server did not complete the STARTTLS preamble within {timeout:g}s",
            code="timeout",
            details={"protocol": protocol},
        ) from exc
    except (asyncio.IncompleteReadError, ConnectionError) as exc:
        raise wire.failed("closed the connection during the STARTTLS preamble") from exc
    except (asyncio.LimitOverrunError, ValueError) as exc:
        raise wire.failed("sent a line too long to be a STARTTLS preamble") from exc


async def open_tls(
    host: str,
    port: int,
    protocol: str,
    ssl_context: ssl.SSLContext,
    server_name: str,
    timeout: float,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a TLS connection to `host` (an IP literal the caller has already policy-checked)
    speaking `protocol`, with SNI `server_name`; return the TLS streams.

    The whole of connect, preamble and handshake must finish within `timeout` seconds, else
    ProbeError(code="timeout"). The dance's ProbeErrors pass through; so do OSError (refused,
    reset) and ssl.SSLError (handshake and verification failures), which the caller classifies.
    """
    hostname = server_name or None
    phase = "TCP connect and TLS handshake" if protocol in IMPLICIT_TLS else "TCP connect"
    try:
        async with asyncio.timeout(timeout):
            if protocol in IMPLICIT_TLS:
                return await asyncio.open_connection(
                    host,
                    port,
                    ssl=ssl_context,
                    server_hostname=hostname,
                    ssl_handshake_timeout=timeout,
                )
            reader, writer = await asyncio.open_connection(host, port)
            try:
                phase = "STARTTLS preamble"
                await negotiate(reader, writer, protocol, server_name, timeout)
                phase = "TLS handshake"
                await writer.start_tls(
                    ssl_context, server_hostname=hostname, ssl_handshake_timeout=timeout
                )
            except BaseException:
                writer.close()
                raise
            return reader, writer
    except TimeoutError as exc:
        raise ProbeError(
            f"no TLS session with {host} port {port} ({protocol}) within {timeout:g}s: "
            f"the {phase} did not finish",
            code="timeout",
            details={"protocol": protocol, "phase": phase},
        ) from exc
