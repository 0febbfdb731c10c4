"""The target policy for outgoing HTTP (aiohttp): one resolver and one literal-address check,
used by the http and rdap probes, CRL/OCSP fetches, webhooks and HTTP contact channels.

aiohttp hands names to its resolver, so `PolicyResolver` sees — and checks — every address a
name resolves to (DNS rebinding included); it never hands it a literal address, so callers
check those with `check_literal_host` before the request.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from aiohttp.abc import AbstractResolver, ResolveResult

from watchwire.target_policy import IPAddress, TargetPolicy


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that returns only the addresses the target policy allows, and
    raises TargetNotAllowed (saying why) when it allows none."""

    def __init__(self, policy: TargetPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._policy.resolve(host, port, family)
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


@lru_cache(maxsize=1024)  # monitors probe the same few hosts over and over
def literal_address(host: str) -> IPAddress | None:
    """The address when `host` (a URL's host part) is an IP literal, else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_literal_host(host: str, policy: TargetPolicy) -> None:
    """Raise TargetNotAllowed when `host` is an IP literal the policy refuses (names are
    checked by PolicyResolver when they resolve)."""
    address = literal_address(host)
    if address is not None:
        policy.check(address)
