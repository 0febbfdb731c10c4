"""The plaintext connection during a STARTTLS dance: line and byte I/O with bounds a hostile
server cannot stretch, and errors that name the protocol and quote the server."""

from __future__ import annotations

import asyncio
from typing import Final

from watchwire.errors import ProbeError

# A hostile or broken server must not make us read forever: bounds on a multi-line reply.
MAX_REPLY_LINES: Final = 200
MAX_PACKET_BYTES: Final = 65536
_MAX_QUOTE_CHARS: Final = 300


class Wire:
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
        while len(lines) < MAX_REPLY_LINES:
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


def client_name(wire: Wire) -> str:
    # EHLO wants our own name; an address literal is the RFC 5321 answer for a client that has
    # no reliable FQDN, and it avoids a blocking reverse lookup.
    sockname = wire.writer.get_extra_info("sockname")
    if not sockname:
        return "[127.0.0.1]"
    address = str(sockname[0])
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"
