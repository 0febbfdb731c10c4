"""`HOST:PORT` as people write it: `127.0.0.1:53`, `[::1]:5353`, `name`, `::1`."""

from __future__ import annotations

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
