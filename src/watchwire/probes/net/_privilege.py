"""Which kind of ICMP socket this process may open: raw (root or CAP_NET_RAW) or the Linux
unprivileged datagram ("ping") socket, which `net.ipv4.ping_group_range` grants by group id.

The decision is a pure function of what the kernel reports, so it can be tested with any
contents; `current_privileges()` reads the real values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from watchwire.errors import ProbeError

SocketKind = Literal["raw", "datagram"]
SocketChoice = Literal["auto", "raw", "datagram"]

CAP_NET_RAW = 13
PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")

HOW_TO_ENABLE = (
    "ICMP needs a raw socket (run as root or grant CAP_NET_RAW, e.g. "
    "`setcap cap_net_raw+ep $(readlink -f $(which python3))`) or unprivileged ping sockets "
    'for this process\'s group: `sysctl -w net.ipv4.ping_group_range="0 2147483647"` '
    "(persist it in /etc/sysctl.d/)"
)


@dataclass(frozen=True, slots=True)
class Privileges:
    has_net_raw: bool
    group_ids: frozenset[int]
    ping_group_range: str | None  # the file's contents, None when it cannot be read


def current_privileges() -> Privileges:
    try:
        ping_range: str | None = PING_GROUP_RANGE.read_text()
    except OSError:
        ping_range = None
    return Privileges(
        has_net_raw=_has_capability(CAP_NET_RAW),
        group_ids=frozenset({os.getegid(), *os.getgroups()}),
        ping_group_range=ping_range,
    )


def datagram_allowed(privileges: Privileges) -> bool:
    """Whether a group of this process lies in ping_group_range ("1 0", the default, is empty)."""
    if privileges.ping_group_range is None:
        return False
    try:
        low, high = (int(part) for part in privileges.ping_group_range.split())
    except ValueError:
        return False
    return any(low <= gid <= high for gid in privileges.group_ids)


def choose_socket(choice: SocketChoice, privileges: Privileges) -> SocketKind:
    """The socket kind to use: raw when allowed (it works everywhere), else the datagram
    socket. ProbeError saying how to enable ICMP when the needed kind is not allowed."""
    can_datagram = datagram_allowed(privileges)
    if choice == "auto":
        choice = "datagram" if can_datagram and not privileges.has_net_raw else "raw"
    if choice == "raw" and not privileges.has_net_raw:
        raise ProbeError(f"not allowed to send ICMP: {HOW_TO_ENABLE}", code="icmp_not_permitted")
    if choice == "datagram" and not can_datagram:
        raise ProbeError(
            f"unprivileged ICMP sockets are disabled for this process's groups: {HOW_TO_ENABLE}",
            code="icmp_not_permitted",
        )
    return choice


def _has_capability(bit: int) -> bool:
    """Whether the effective capability set holds `bit` (root without it is not enough)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> bit & 1)
    except (OSError, ValueError):
        pass
    return os.geteuid() == 0
