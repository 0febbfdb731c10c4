"""The STARTTLS dances of the binary protocols: LDAP's StartTLS extended operation (RFC
4511), PostgreSQL's SSLRequest and MySQL/MariaDB's SSLRequest. Each speaks just enough of the
protocol to ask for TLS; on return the next bytes on the wire are our ClientHello."""

from __future__ import annotations

import struct
from typing import Final

from watchwire.probes.tls._wire import MAX_PACKET_BYTES, Wire

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


async def _read_ber(wire: Wire) -> tuple[int, bytes]:
    """One BER element from the wire: (tag, content)."""
    tag, first = await wire.reader.readexactly(2)
    length = first
    if first & 0x80:
        size = first & 0x7F
        if not 1 <= size <= 4:
            raise wire.failed("sent a malformed LDAP message (bad BER length)")
        length = int.from_bytes(await wire.reader.readexactly(size), "big")
    if length > MAX_PACKET_BYTES:
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


async def ldap(wire: Wire) -> None:
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


async def _postgresql_error(wire: Wire) -> str:
    """The message of an ErrorResponse: Int32 length, then fields of a type byte and a
    NUL-terminated string; the human-readable one has type M."""
    length = int.from_bytes(await wire.reader.readexactly(4), "big")
    body = await wire.reader.readexactly(min(max(length - 4, 0), MAX_PACKET_BYTES))
    fields = {field[:1]: field[1:] for field in body.split(b"\0") if field}
    return (fields.get(b"M") or body).decode("utf-8", errors="replace")


async def postgresql(wire: Wire) -> None:
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


async def _mysql_packet(wire: Wire) -> tuple[int, bytes]:
    """One MySQL packet: (sequence id, payload). Header: 3-byte little-endian length, 1 byte seq."""
    header = await wire.reader.readexactly(4)
    length = int.from_bytes(header[:3], "little")
    if length > MAX_PACKET_BYTES:
        raise wire.failed(f"sent an oversized greeting ({length} bytes)")
    return header[3], await wire.reader.readexactly(length)


def _mysql_error_text(payload: bytes) -> str:
    # ERR_Packet: 0xff, error code (2 bytes LE), then optionally "#" + 5-char SQLSTATE, message.
    code = int.from_bytes(payload[1:3], "little")
    text = payload[3:]
    if text.startswith(b"#"):
        text = text[6:]
    return f"{code} {text.decode('utf-8', errors='replace')}"


async def mysql(wire: Wire) -> None:
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
