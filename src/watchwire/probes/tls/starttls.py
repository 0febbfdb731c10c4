"""STARTTLS: getting a TLS handshake out of the 15 protocols a certificate monitor can watch.

Seven protocols speak TLS from the first byte (IMPLICIT_TLS). The other eight start in plaintext
and upgrade on request; `negotiate` performs that plaintext preamble ("the dance") on a fresh TCP
connection and returns when the next bytes on the wire are our ClientHello. `open_tls` opens the
connection, dances when needed and performs the handshake; the tls probe uses it to reach the
certificate whatever the protocol.

Every dance is one small function below, registered in DANCES, the one place that maps a
protocol to its dance. A server that refuses or does not offer the upgrade raises ProbeError
with code "starttls_unsupported" (TLS not offered at all) or "starttls_failed" (the dance went
wrong), quoting the server's own words; a server too slow to answer raises code "timeout".
"""

from __future__ import annotations

import asyncio
import ssl
import struct
from collections.abc import Awaitable, Callable
from typing import Final, NamedTuple

from watchwire.errors import ProbeError

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

# A hostile or broken server must not make us read forever: bounds on a multi-line reply.
_MAX_REPLY_LINES: Final = 200
_MAX_PACKET_BYTES: Final = 65536
_MAX_QUOTE_CHARS: Final = 300


class _Wire:
    """The plaintext connection during a dance: line I/O and errors that name the protocol."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, protocol: str, name: str
    ):
        self.reader = reader
        self.writer = writer
        self.protocol = protocol
        self.name = name

    async def send(self, line: str) -> None:
        self.writer.write(line.encode("ascii") + b"\r\n")
        await self.writer.drain()

    async def send_bytes(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def line(self) -> str:
        raw = await self.reader.readline()
        if not raw:
            raise asyncio.IncompleteReadError(b"", None)
        return raw.decode("utf-8", errors="replace").rstrip("\r\n")

    async def numeric_reply(self) -> tuple[int, list[str]]:
        """An SMTP/LMTP/FTP reply: `ddd-text` continuation lines ended by a `ddd text` line.
        Returns the code and the text of every line."""
        lines: list[str] = []
        while len(lines) < _MAX_REPLY_LINES:
            line = await self.line()
            numbered = line[:3].isdigit() and line[3:4] in ("-", " ", "")
            lines.append(line[4:] if numbered else line)
            if numbered and line[3:4] != "-":
                return int(line[:3]), lines
        raise self.failed("sent an endless reply", " | ".join(lines[-3:]))

    def failed(self, what: str, said: str | None = None) -> ProbeError:
        return self._error("starttls_failed", what, said)

    def unsupported(self, what: str, said: str | None = None) -> ProbeError:
        return self._error("starttls_unsupported", what, said)

    def _error(self, code: str, what: str, said: str | None) -> ProbeError:
        message = f"the {self.name} server {what}"
        details: dict[str, str] = {"protocol": self.protocol}
        if said is not None:
            quoted = _printable(said)
            message += f': "{quoted}"'
            details["server_said"] = quoted
        return ProbeError(message, code=code, details=details)


def _printable(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(cleaned) > _MAX_QUOTE_CHARS:
        return cleaned[:_MAX_QUOTE_CHARS] + "…"
    return cleaned


def _client_name(wire: _Wire) -> str:
    # EHLO wants our own name; an address literal is the RFC 5321 answer for a client that has
    # no reliable FQDN, and it avoids a blocking reverse lookup.
    sockname = wire.writer.get_extra_info("sockname")
    if not sockname:
        return "[127.0.0.1]"
    address = str(sockname[0])
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


# --- SMTP and LMTP: RFC 3207 (STARTTLS), RFC 2033 (LMTP's LHLO) -------------------------------


async def _smtp_family(wire: _Wire, hello: str) -> None:
    code, lines = await wire.numeric_reply()
    if code != 220:
        raise wire.failed("refused the connection", " ".join(lines))
    await wire.send(f"{hello} {_client_name(wire)}")
    code, lines = await wire.numeric_reply()
    if code != 250:
        raise wire.failed(f"refused {hello}", " ".join(lines))
    keywords = {line.split(" ", 1)[0].upper() for line in lines[1:]}
    if "STARTTLS" not in keywords:
        raise wire.unsupported(
            f"does not offer STARTTLS; its {hello} extensions are", ", ".join(lines[1:]) or "none"
        )
    await wire.send("STARTTLS")
    code, lines = await wire.numeric_reply()
    if code != 220:
        raise wire.failed("refused STARTTLS", f"{code} {' '.join(lines)}")


async def _smtp(wire: _Wire) -> None:
    await _smtp_family(wire, "EHLO")


async def _lmtp(wire: _Wire) -> None:
    await _smtp_family(wire, "LHLO")


# --- IMAP: RFC 2595 / RFC 9051 section 6.2.1 ---------------------------------------------------


async def _imap_command(wire: _Wire, tag: str, command: str) -> tuple[str, list[str]]:
    """Send a tagged command; return the tagged completion line and the untagged lines."""
    await wire.send(f"{tag} {command}")
    untagged: list[str] = []
    while len(untagged) < _MAX_REPLY_LINES:
        line = await wire.line()
        if line.startswith(f"{tag} "):
            return line[len(tag) + 1 :], untagged
        untagged.append(line)
    raise wire.failed(f"sent an endless answer to {command}")


def _imap_capabilities(line: str) -> set[str] | None:
    upper = line.upper()
    if upper.startswith("* CAPABILITY "):
        return set(upper.split()[2:])
    start = upper.find("[CAPABILITY ")
    if start >= 0:
        return set(upper[start + 1 : upper.find("]", start)].split()[1:])
    return None


async def _imap(wire: _Wire) -> None:
    greeting = await wire.line()
    if not greeting.upper().startswith(("* OK", "* PREAUTH")):
        raise wire.failed("refused the connection", greeting)
    capabilities = _imap_capabilities(greeting)
    if capabilities is None:
        _, untagged = await _imap_command(wire, "W1", "CAPABILITY")
        capabilities = set()
        for line in untagged:
            capabilities |= _imap_capabilities(line) or set()
    if "STARTTLS" not in capabilities:
        raise wire.unsupported(
            "does not offer STARTTLS; its capabilities are", " ".join(sorted(capabilities))
        )
    status, _ = await _imap_command(wire, "W2", "STARTTLS")
    if not status.upper().startswith("OK"):
        raise wire.failed("refused STARTTLS", status)


# --- POP3: RFC 2595 section 4 (STLS), RFC 2449 (CAPA) ------------------------------------------


async def _pop3(wire: _Wire) -> None:
    greeting = await wire.line()
    if not greeting.startswith("+OK"):
        raise wire.failed("refused the connection", greeting)
    await wire.send("CAPA")
    status = await wire.line()
    if status.startswith("+OK"):
        capabilities: list[str] = []
        while (line := await wire.line()) != ".":
            if len(capabilities) >= _MAX_REPLY_LINES:
                raise wire.failed("sent an endless answer to CAPA")
            capabilities.append(line)
        if not any(line.upper().split(" ", 1)[0] == "STLS" for line in capabilities):
            raise wire.unsupported(
                "does not offer STLS; its capabilities are", ", ".join(capabilities)
            )
    # A server without CAPA may still know STLS: ask and let its answer decide.
    await wire.send("STLS")
    answer = await wire.line()
    if not answer.startswith("+OK"):
        raise wire.failed("refused STLS", answer)


# --- FTP: RFC 4217 (AUTH TLS), RFC 2389 (FEAT) -------------------------------------------------

_FTP_UNKNOWN_COMMAND: Final = frozenset({500, 502, 504})


async def _ftp(wire: _Wire) -> None:
    code, lines = await wire.numeric_reply()
    if code != 220:
        raise wire.failed("refused the connection", f"{code} {' '.join(lines)}")
    await wire.send("FEAT")
    code, lines = await wire.numeric_reply()
    if code == 211:
        features = [line.strip().upper() for line in lines[1:-1]]
        if not any(f.startswith("AUTH") and "TLS" in f for f in features):
            raise wire.unsupported(
                "does not offer AUTH TLS; its features are", ", ".join(features) or "none"
            )
    await wire.send("AUTH TLS")
    code, lines = await wire.numeric_reply()
    if code in _FTP_UNKNOWN_COMMAND:
        raise wire.unsupported("does not know AUTH TLS", f"{code} {' '.join(lines)}")
    if code != 234:
        raise wire.failed("refused AUTH TLS", f"{code} {' '.join(lines)}")


# --- LDAP: RFC 4511 section 4.14 (StartTLS extended operation) ---------------------------------

# LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest { [0] requestName
# "1.3.6.1.4.1.1466.20037" } }, BER-encoded by hand (RFC 4511 section 4.12 and 4.14.1).
_LDAP_STARTTLS_OID: Final = b"1.3.6.1.4.1.1466.20037"
_LDAP_STARTTLS_REQUEST: Final = (
    b"\x30\x1d"  # LDAPMessage SEQUENCE, 29 bytes
    b"\x02\x01\x01"  # messageID INTEGER 1
    b"\x77\x18"  # [APPLICATION 23] ExtendedRequest, 24 bytes
    b"\x80\x16" + _LDAP_STARTTLS_OID  # [0] requestName, 22 bytes
)
_LDAP_EXTENDED_RESPONSE: Final = 0x78  # [APPLICATION 24]
_LDAP_RESULT_NAMES: Final = {
    1: "operationsError",
    2: "protocolError",
    52: "unavailable",
    53: "unwillingToPerform",
    80: "other",
}
# protocolError: the server does not know StartTLS (RFC 4511 4.14.2 says so);
# unavailable: it knows it but has no TLS configured.
_LDAP_NOT_OFFERED: Final = frozenset({2, 52})


async def _read_ber(wire: _Wire) -> tuple[int, bytes]:
    """One BER element from the wire: (tag, content)."""
    tag, first = await wire.reader.readexactly(2)
    length = first
    if first & 0x80:
        size = first & 0x7F
        if not 1 <= size <= 4:
            raise wire.failed("sent a malformed LDAP message (bad BER length)")
        length = int.from_bytes(await wire.reader.readexactly(size), "big")
    if length > _MAX_PACKET_BYTES:
        raise wire.failed(f"sent an oversized LDAP message ({length} bytes)")
    return tag, await wire.reader.readexactly(length)


def _ber_elements(data: bytes) -> list[tuple[int, bytes]]:
    """The BER elements concatenated in `data` (short and long length forms)."""
    elements: list[tuple[int, bytes]] = []
    offset = 0
    while offset + 2 <= len(data):
        tag, length = data[offset], data[offset + 1]
        offset += 2
        if length & 0x80:
            size = length & 0x7F
            length = int.from_bytes(data[offset : offset + size], "big")
            offset += size
        elements.append((tag, data[offset : offset + length]))
        offset += length
    return elements


async def _ldap(wire: _Wire) -> None:
    await wire.send_bytes(_LDAP_STARTTLS_REQUEST)
    tag, content = await _read_ber(wire)
    message = _ber_elements(content)
    if tag != 0x30 or len(message) < 2 or message[1][0] != _LDAP_EXTENDED_RESPONSE:
        raise wire.failed("did not answer the StartTLS request with an LDAP ExtendedResponse")
    result = _ber_elements(message[1][1])
    if len(result) < 3:
        raise wire.failed("sent a malformed LDAP ExtendedResponse")
    code = int.from_bytes(result[0][1], "big")
    if code == 0:
        return
    diagnostic = result[2][1].decode("utf-8", errors="replace")
    name = _LDAP_RESULT_NAMES.get(code, "error")
    said = f"{name} ({code}) {diagnostic}".strip()
    if code in _LDAP_NOT_OFFERED:
        raise wire.unsupported("does not offer StartTLS", said)
    raise wire.failed("refused StartTLS", said)


# --- PostgreSQL: protocol docs, "SSL Session Encryption" / SSLRequest --------------------------

_PG_SSL_REQUEST: Final = struct.pack("!II", 8, 80877103)


async def _postgresql_error(wire: _Wire) -> str:
    """The message of an ErrorResponse: Int32 length, then fields of a type byte and a
    NUL-terminated string; the human-readable one has type M."""
    length = int.from_bytes(await wire.reader.readexactly(4), "big")
    body = await wire.reader.readexactly(min(max(length - 4, 0), _MAX_PACKET_BYTES))
    fields = {field[:1]: field[1:] for field in body.split(b"\0") if field}
    return (fields.get(b"M") or body).decode("utf-8", errors="replace")


async def _postgresql(wire: _Wire) -> None:
    await wire.send_bytes(_PG_SSL_REQUEST)
    answer = await wire.reader.readexactly(1)
    if answer == b"S":
        return
    if answer == b"N":
        raise wire.unsupported("does not accept TLS connections (it answered N to SSLRequest)")
    if answer == b"E":
        raise wire.failed("answered the SSLRequest with an error", await _postgresql_error(wire))
    raise wire.failed(f"answered the SSLRequest with byte {answer!r}, not S or N")


# --- MySQL / MariaDB: protocol docs, Protocol::Handshake and Protocol::SSLRequest --------------

_MYSQL_CLIENT_LONG_PASSWORD: Final = 0x00000001
_MYSQL_CLIENT_PROTOCOL_41: Final = 0x00000200
_MYSQL_CLIENT_SSL: Final = 0x00000800
_MYSQL_CLIENT_SECURE_CONNECTION: Final = 0x00008000
_MYSQL_UTF8_GENERAL_CI: Final = 33


async def _mysql_packet(wire: _Wire) -> tuple[int, bytes]:
    """One MySQL packet: (sequence id, payload). Header: 3-byte little-endian length, 1 byte seq."""
    header = await wire.reader.readexactly(4)
    length = int.from_bytes(header[:3], "little")
    if length > _MAX_PACKET_BYTES:
        raise wire.failed(f"sent an oversized greeting ({length} bytes)")
    return header[3], await wire.reader.readexactly(length)


def _mysql_error_text(payload: bytes) -> str:
    # ERR_Packet: 0xff, error code (2 bytes LE), then optionally "#" + 5-char SQLSTATE, message.
    code = int.from_bytes(payload[1:3], "little")
    text = payload[3:]
    if text.startswith(b"#"):
        text = text[6:]
    return f"{code} {text.decode('utf-8', errors='replace')}"


async def _mysql(wire: _Wire) -> None:
    sequence, greeting = await _mysql_packet(wire)
    if greeting[:1] == b"\xff":
        raise wire.failed("refused the connection", _mysql_error_text(greeting))
    if greeting[:1] != b"\x0a" or b"\0" not in greeting:
        raise wire.failed("did not send a MySQL protocol 10 greeting")
    version, rest = greeting[1:].split(b"\0", 1)
    # After the version: connection id (4), auth data part 1 (8), filler (1), capabilities (2).
    if len(rest) < 15:
        raise wire.failed("sent a truncated MySQL greeting")
    capabilities = int.from_bytes(rest[13:15], "little")
    if not capabilities & _MYSQL_CLIENT_SSL:
        raise wire.unsupported(
            "does not offer TLS (no CLIENT_SSL flag in its greeting); its version is",
            version.decode("utf-8", errors="replace"),
        )
    flags = (
        _MYSQL_CLIENT_LONG_PASSWORD
        | _MYSQL_CLIENT_PROTOCOL_41
        | _MYSQL_CLIENT_SSL
        | _MYSQL_CLIENT_SECURE_CONNECTION
    )
    # SSLRequest: capabilities (4), max packet size (4), character set (1), 23 zero bytes.
    payload = struct.pack("<IIB23x", flags, 1 << 24, _MYSQL_UTF8_GENERAL_CI)
    header = len(payload).to_bytes(3, "little") + bytes([(sequence + 1) & 0xFF])
    await wire.send_bytes(header + payload)


# --- the registry ------------------------------------------------------------------------------


class Dance(NamedTuple):
    name: str  # the protocol as people write it, for messages
    perform: Callable[[_Wire], Awaitable[None]]


DANCES: Final[dict[str, Dance]] = {
    "smtp": Dance("SMTP", _smtp),
    "lmtp": Dance("LMTP", _lmtp),
    "imap": Dance("IMAP", _imap),
    "pop": Dance("POP3", _pop3),
    "ftp": Dance("FTP", _ftp),
    "ldap": Dance("LDAP", _ldap),
    "postgresql": Dance("PostgreSQL", _postgresql),
    "mysql": Dance("MySQL", _mysql),
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
    wire = _Wire(reader, writer, protocol, dance.name)
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
