"""The target policy: which addresses probes, webhooks and contact channels may connect to
(the SSRF guard), in one package every layer from the probes up may import.

The check is made on the address actually connected to, after resolution, so a name that
resolves to a private address (DNS rebinding) or a redirect to one is refused the same way
as a literal address.

Its surface:
- here: `TargetPolicy` (`allows`, `check`, `resolve`), `classify` (an address's category)
  and the `IPAddress` type; standard library only, so the tcp, icmp and dns probes load
  no HTTP client;
- `target_policy.http`: the same policy for outgoing HTTP with aiohttp, `PolicyResolver`
  for names and `check_literal_host` for IP literals, which aiohttp never resolves.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from watchwire.errors import TargetNotAllowed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES: Final = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, …
        ipaddress.ip_address("169.254.170.2"),  # ECS task metadata
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6 metadata
    }
)
CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
# RFC 1918 and IPv6 unique-local: what "private" means to an operator. Python's is_private
# also covers documentation, benchmarking and 240/4 ranges, which are never real targets.
PRIVATE: Final = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


@lru_cache(maxsize=4096)
def classify(address: IPAddress) -> str:
    """The category of an address: public, loopback, private, link-local, cgnat, metadata,
    multicast, unspecified or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return classify(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_multicast:
        return "multicast"
    if address.is_link_local:
        return "link-local"
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return "cgnat"
    if any(address in network for network in PRIVATE):
        return "private"
    if not address.is_global:
        return "reserved"
    return "public"


_ALLOWED_WITH_PRIVATE: Final = frozenset({"loopback", "private", "link-local", "cgnat"})


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    allow_private: bool = False
    allow_metadata: bool = False

    def allows(self, address: IPAddress) -> bool:
        category = classify(address)
        if category == "public":
            return True
        if category == "metadata":
            return self.allow_metadata
        return self.allow_private and category in _ALLOWED_WITH_PRIVATE

    def check(self, address: IPAddress | str) -> IPAddress:
        """Return the address if it may be reached, else raise TargetNotAllowed saying why."""
        addr = ipaddress.ip_address(address) if isinstance(address, str) else address
        if not self.allows(addr):
            category = classify(addr)
            hint = (
                "the cloud metadata address needs WATCHWIRE_ALLOW_METADATA_TARGET=true"
                if category == "metadata"
                else "set WATCHWIRE_ALLOW_PRIVATE_TARGETS=true to monitor internal addresses"
                if category in _ALLOWED_WITH_PRIVATE
                else "this kind of address is never a valid target"
            )
            raise TargetNotAllowed(
                f"{addr} is a {category} address and the target policy refuses it ({hint})",
                details={"address": str(addr), "category": category},
            )
        return addr

    async def resolve(
        self, host: str, port: int = 0, family: int = socket.AF_UNSPEC
    ) -> list[IPAddress]:
        """Resolve a host name (or literal) to the addresses the policy allows, in resolver
        order. Raises TargetNotAllowed when every address is refused, and ProbeError-family
        errors when the name does not resolve."""
        from watchwire.errors import ProbeError

        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            if family == socket.AF_INET and literal.version != 4:
                raise ProbeError(f"{host} is not an IPv4 address")
            if family == socket.AF_INET6 and literal.version != 6:
                raise ProbeError(f"{host} is not an IPv6 address")
            return [self.check(literal)]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ProbeError(f"cannot resolve {host}: {exc.strerror}", code="dns_error") from exc
        except UnicodeError as exc:  # no IDNA form: not a name any resolver could look up
            raise ProbeError(f"{host!r} is not a valid host name", code="dns_error") from exc
        seen: list[IPAddress] = []
        for info in infos:
            addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if addr not in seen:
                seen.append(addr)
        allowed = [a for a in seen if self.allows(a)]
        if not allowed:
            self.check(seen[0])  # raises with the reason
        return allowed
