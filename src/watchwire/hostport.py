"""`HOST:PORT` as people write it: `127.0.0.1:53`, `[::1]:5353`, `name`, `::1`."""

from __future__ import annotations

import ipaddress
import re


def parse_hostport(value: str, default_port: int) -> tuple[str, int]:
    """(host, port); ValueError naming the value when it is not HOST[:PORT]."""
    value = value.strip()
    if value.startswith("["):  # [::1]:53
        host, _, rest = value[1:].partition("]")
        port = rest.lstrip(":") or str(default_port)
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:  # bare IPv4, name, or bare IPv6 without a port
        host, port = value, str(default_port)
    if (
        not re.fullmatch(r"[A-Za-z0-9._:-]+", host)
        or not port.isdigit()
        or not 0 < int(port) < 65536
    ):
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


# One label of a name as DNS carries it after IDNA: letters, digits, hyphens (not first or
# last) and underscores (service labels such as _dmarc), 1 to 63 octets.
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def host_name_problem(host: str) -> str | None:
    """None when `host` is an IP literal or a name DNS can carry; else why it is not (one
    sentence, for a 400 naming the field). Catches what would otherwise fail deep inside a
    lookup as an IDNA error: empty labels (`not..valid`), a label over 63 octets, a name over
    253, characters no name has, and a numeric last label (`10.0.0.300` is no address)."""
    text = host.strip().removeprefix("[").removesuffix("]")
    if not text:
        return "the host is empty"
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    name = text.removesuffix(".")
    if not name or ".." in name or name.startswith("."):
        return f"{host!r} is not a valid host name: it has an empty label"
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if not ascii_name or any(len(label) > 63 for label in labels):
        too_long = [label for label in name.split(".") if len(label.encode()) > 63]
        if too_long:
            return f"{host!r} is not a valid host name: a label is longer than 63 characters"
        return f"{host!r} is not a valid host name"
    if len(ascii_name) > 253:
        return f"{host!r} is not a valid host name: longer than 253 characters"
    if not all(_LABEL.match(label) for label in labels):
        return (
            f"{host!r} is not a valid host name: labels are letters, digits, '_' and '-'"
            " (not first or last)"
        )
    if labels[-1].isdigit():
        return f"{host!r} is neither an IP address nor a host name"
    return None
