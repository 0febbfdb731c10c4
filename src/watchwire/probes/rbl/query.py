"""Blocklist query names and targets: reversed IPv4 octets, IPv6 nibbles, domain names
(RFC 5782 section 2), the parsing of what a user may type, and the expansion of subnets and
ranges into single hosts."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final

from watchwire.probes.rbl.catalog import SourceType

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_HOST_CAP: Final = 256  # an IPv4 /24
_LABEL: Final = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Target:
    """A normalised blocklist target: an IPv4 or IPv6 address, or a domain name."""

    value: str
    type: SourceType
    address: IPAddress | None = None
    # The query name without the zone, built once: a batch asks many zones per target.
    query_prefix: str = ""

    def __post_init__(self) -> None:
        if not self.query_prefix:
            object.__setattr__(self, "query_prefix", _query_prefix(self))


def normalise_domain(text: str) -> str:
    """Lower-case, IDNA-encoded, without the trailing dot; ValueError if it is no host name."""
    name = text.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{text!r} is not a valid domain name") from exc
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r} is not a valid domain name")
    return name


def parse_target(text: str) -> Target:
    """Read one host: an IPv4 or IPv6 address (an IPv4-mapped IPv6 address counts as IPv4)
    or a domain name. ValueError for anything else, subnets included."""
    raw = text.strip().strip("[]")
    if names_several_hosts(raw):
        raise ValueError(f"{text!r} is a subnet or range: expand it into hosts first")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return Target(value=normalise_domain(raw), type="uribl")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        return Target(value=str(address), type="rbl", address=address)
    return Target(value=str(address), type="rbl_v6", address=address)


def _query_prefix(target: Target) -> str:
    if isinstance(target.address, ipaddress.IPv4Address):
        return ".".join(reversed(str(target.address).split(".")))
    if isinstance(target.address, ipaddress.IPv6Address):
        return ".".join(target.address.exploded.replace(":", "")[::-1])
    return target.value


def query_name(target: Target, zone: str) -> str:
    """The name to look up for this target in this zone."""
    return f"{target.query_prefix}.{zone}"


def test_point_target(value: str, source_type: SourceType) -> Target:
    """A target for an RFC 5782 test point; `TEST`/`INVALID` are single labels, unlike domains."""
    if source_type == "uribl":
        return Target(value=value.lower(), type="uribl")
    return parse_target(value)


def target_from_query_name(name: str, zone: str) -> str:
    """The inverse of `query_name`: the address or domain a query name asks about."""
    suffix = "." + zone
    if not name.endswith(suffix):
        raise ValueError(f"{name!r} is not in zone {zone!r}")
    labels = name[: -len(suffix)].split(".")
    if len(labels) == 4 and all(label.isdigit() for label in labels):
        return str(ipaddress.IPv4Address(".".join(reversed(labels))))
    if len(labels) == 32 and all(len(label) == 1 for label in labels):
        digits = "".join(reversed(labels))
        return str(ipaddress.IPv6Address(int(digits, 16)))
    return ".".join(labels)


def names_several_hosts(text: str) -> bool:
    """A subnet (`a/n`) or a range (`a-b`), as opposed to one address or domain."""
    return "/" in text or _range_start(text) is not None


def _range_start(text: str) -> IPAddress | None:
    """The first address of `a-b` when `a` is an address (a domain may contain hyphens)."""
    if "-" not in text:
        return None
    try:
        return ipaddress.ip_address(text.partition("-")[0].strip())
    except ValueError:
        return None


def _parse_range(text: str) -> tuple[IPAddress, IPAddress]:
    first_text, _, last_text = text.partition("-")
    first = ipaddress.ip_address(first_text.strip())
    last_text = last_text.strip()
    if isinstance(first, ipaddress.IPv4Address) and last_text.isdigit():
        # 192.0.2.10-20: the last octet only
        last: IPAddress = ipaddress.IPv4Address(first.packed[:3] + bytes([int(last_text)]))
    else:
        last = ipaddress.ip_address(last_text)
    if first.version != last.version or int(last) < int(first):
        raise ValueError(f"{text!r} is not a valid address range (first-last)")
    return first, last


def expand_hosts(value: str, cap: int = DEFAULT_HOST_CAP) -> list[str]:
    """Expand a host, a subnet (CIDR) or a range (`a-b`, or `a.b.c.d-e` for the last octet)
    into single hosts, in order. A domain or single address gives itself. ValueError when the
    text is none of these, or when it would give more than `cap` hosts."""
    text = value.strip()
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid subnet") from exc
        first, last = network.network_address, network.broadcast_address
    elif _range_start(text) is not None:
        first, last = _parse_range(text)
    else:
        return [parse_target(text).value]
    count = int(last) - int(first) + 1
    if count > cap:
        raise ValueError(f"{value!r} expands to {count} hosts, more than the limit of {cap}")
    return [str(first + offset) for offset in range(count)]


def server_string(host: str, port: int) -> str:
    """The c-ares form of a name server address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
