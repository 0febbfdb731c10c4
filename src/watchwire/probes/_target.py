"""Shared by the probe families (net, tls, geo): split a target into host and port, choose
the address family, and resolve through the target policy."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from typing import Literal

from watchwire.errors import ProbeError
from watchwire.target_policy import IPAddress, TargetPolicy

Family = Literal["any", "ipv4", "ipv6"]

NAME_LOOKUP_TIMEOUT_S = 2.0

SOCKET_FAMILY: dict[str, int] = {
    "any": socket.AF_UNSPEC,
    "ipv4": socket.AF_INET,
    "ipv6": socket.AF_INET6,
}


@functools.lru_cache(maxsize=4096)  # monitors repeat the same targets
def split_host_port(target: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal -> (host, port or None).

    Raises ProbeError for an empty host or a port outside 1-65535."""
    target = target.strip()
    port_text: str | None = None
    if target.startswith("["):
        host, _, rest = target[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ProbeError(f"cannot read {target!r} as [ADDRESS]:PORT")
            port_text = rest[1:]
    elif target.count(":") == 1:
        host, port_text = target.split(":")
    else:  # a name, an IPv4 literal, or a bare IPv6 literal (several colons, no port)
        host = target
    if not host:
        raise ProbeError(f"no host in target {target!r}")
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ProbeError(f"port must be 1-65535, got {port_text!r}")
    return host, int(port_text)


async def resolve_one(
    policy: TargetPolicy, host: str, family: Family = "any", port: int = 0
) -> IPAddress:
    """The first address of `host` that the policy allows, in resolver order."""
    literal = _checked_literal(policy, host, family)
    if literal is not None:
        return literal
    addresses = await policy.resolve(host, port, SOCKET_FAMILY[family])
    return addresses[0]


async def resolve_for_socket(
    policy: TargetPolicy, host: str, family: Family = "any", port: int = 0
) -> tuple[str, int]:
    """(address as text, socket family) of the first address of `host` the policy allows:
    what a connect call needs, cached for literals so the hot path of a port probe does not
    re-parse and re-format the same address."""
    literal = literal_for_socket(policy, host, family)
    if literal is not None:
        return literal
    address = (await policy.resolve(host, port, SOCKET_FAMILY[family]))[0]
    return str(address), socket_family(address)


def literal_for_socket(policy: TargetPolicy, host: str, family: Family) -> tuple[str, int] | None:
    """(address as text, socket family) for an IP literal the policy allows, None for a name."""
    if type(policy) is not TargetPolicy:  # a policy with rules of its own
        address = _checked_literal(policy, host, family)
        return None if address is None else (str(address), socket_family(address))
    # Keyed by the policy's switches: hashing and comparing the policy object itself (Python
    # code, twice per call) was a measurable part of a tcp probe's own cost.
    return _literal_for_socket(policy.allow_private, policy.allow_metadata, host, family)


@functools.lru_cache(maxsize=4096)
def _literal_for_socket(
    allow_private: bool, allow_metadata: bool, host: str, family: Family
) -> tuple[str, int] | None:
    address = _checked_literal(TargetPolicy(allow_private, allow_metadata), host, family)
    return None if address is None else (str(address), socket_family(address))


@functools.lru_cache(maxsize=4096)
def _checked_literal(policy: TargetPolicy, host: str, family: Family) -> IPAddress | None:
    """An IP literal that the policy allows, else None for a name. Cached because monitors
    probe the same addresses over and over, and classifying an address walks every special
    range the standard library knows (tens of microseconds, a third of a TCP probe's cost);
    a refused address raises and is not cached."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if family == "ipv4" and address.version != 4:
        raise ProbeError(f"{host} is not an IPv4 address")
    if family == "ipv6" and address.version != 6:
        raise ProbeError(f"{host} is not an IPv6 address")
    return policy.check(address)


def sockaddr(address: IPAddress, port: int) -> tuple[str, int]:
    return (str(address), port)


def socket_family(address: IPAddress) -> int:
    return socket.AF_INET6 if isinstance(address, ipaddress.IPv6Address) else socket.AF_INET


async def reverse_name(address: str) -> str | None:
    """The PTR name of an address from the system resolver (so /etc/hosts counts), None if it
    has none or the lookup takes longer than NAME_LOOKUP_TIMEOUT_S."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(NAME_LOOKUP_TIMEOUT_S):
            name, _ = await loop.getnameinfo((address, 0), socket.NI_NAMEREQD)
    except (OSError, TimeoutError):
        return None
    return str(name)
