"""The STARTTLS dances of the line-based protocols: SMTP and LMTP (RFC 3207, RFC 2033), IMAP
(RFC 2595, RFC 9051), POP3 (RFC 2595, RFC 2449) and FTP (RFC 4217, RFC 2389). Each reads the
greeting, checks the upgrade is offered and asks for it; on return the next bytes on the wire
are our ClientHello."""

from __future__ import annotations

from typing import Final

from watchwire.probes.tls._wire import MAX_REPLY_LINES, Wire, client_name

# --- SMTP and LMTP: RFC 3207 (STARTTLS), RFC 2033 (LMTP's LHLO) -------------------------------


async def _smtp_family(wire: Wire, hello: str) -> None:
    code, lines = await wire.numeric_reply()
    if code != 220:
        raise wire.failed("refused the connection", " ".join(lines))
    await wire.send(f"{hello} {client_name(wire)}")
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


async def smtp(wire: Wire) -> None:
    await _smtp_family(wire, "EHLO")


async def lmtp(wire: Wire) -> None:
    await _smtp_family(wire, "LHLO")


# --- IMAP: RFC 2595 / RFC 9051 section 6.2.1 ---------------------------------------------------


async def _imap_command(wire: Wire, tag: str, command: str) -> tuple[str, list[str]]:
    """Send a tagged command; return the tagged completion line and the untagged lines."""
    await wire.send(f"{tag} {command}")
    untagged: list[str] = []
    while len(untagged) < MAX_REPLY_LINES:
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


async def imap(wire: Wire) -> None:
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


async def pop3(wire: Wire) -> None:
    greeting = await wire.line()
    if not greeting.startswith("+OK"):
        raise wire.failed("refused the connection", greeting)
    await wire.send("CAPA")
    status = await wire.line()
    if status.startswith("+OK"):
        capabilities: list[str] = []
        while (line := await wire.line()) != ".":
            if len(capabilities) >= MAX_REPLY_LINES:
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


async def ftp(wire: Wire) -> None:
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
